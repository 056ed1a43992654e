"""``trader sim``: run and steer the project's Alpaca-compatible local paper broker."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import typer

from trader.cli.context import AppContext
from trader.cli.sim_target import steered_sim
from trader.core.money import plain, to_decimal

sim_app = typer.Typer(
    help="The local Alpaca-compatible paper broker.", no_args_is_help=True, rich_markup_mode=None
)


@sim_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", metavar="HOST", help="Address to bind (loopback unless told otherwise)."
    ),
    port: int = typer.Option(0, metavar="PORT", help="Port to listen on (0 picks a free one)."),
) -> None:
    """Serve the sim over HTTP until interrupted; point alpaca-py or APCA_API_BASE_URL at it."""
    from trader.adapters.home import make_home
    from trader.broker.connect import SIM_STATE_FILE
    from trader.errors import ConfigError
    from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer
    from trader.sim.serving import Claim, HomeServed

    context: AppContext = ctx.obj
    make_home(context.home)
    try:
        claim = Claim.take(context.home)  # the other commands on this home steer this server
    except HomeServed as exc:
        raise ConfigError(str(exc)) from None
    try:
        server = SimServer(
            state_path=context.home / SIM_STATE_FILE,
            scenario=context.sim_scenario,
            host=host,
            port=port,
        )
        url = server.start()
        claim.publish(url)
        typer.echo(f"trader sim listening on {url}")
        typer.echo(
            f"  APCA_API_BASE_URL={url} APCA_API_KEY_ID={SIM_KEY_ID} "
            f"APCA_API_SECRET_KEY={SIM_SECRET_KEY}"
        )
        typer.echo("  (sim-only keys; press Ctrl-C to stop)")
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    finally:
        claim.release()


@sim_app.command("reset")
def reset(
    ctx: typer.Context,
    scenario: str = typer.Option(
        None,
        metavar="NAME",
        help="Scenario to seed: default, margin, mixed, empty, stocks-5 or stocks-500 "
        "(default: the config's sim.scenario).",
    ),
) -> None:
    """Reset the embedded sim account to a scenario's seed state."""
    from trader.sim import SCENARIOS

    context: AppContext = ctx.obj
    name = scenario or context.sim_scenario
    if name not in SCENARIOS:
        raise typer.BadParameter(
            f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}"
        )
    with steered_sim(context, "reset") as sim:
        sim.controls.reset(name)
    typer.echo(f"sim account reset to scenario '{name}'{sim.where()}")


@sim_app.command("price")
def price(
    ctx: typer.Context,
    symbol: str = typer.Argument(..., metavar="SYMBOL", help="Symbol, e.g. XLK."),
    value: str = typer.Argument(..., metavar="PRICE", help="New price, e.g. 190.25."),
) -> None:
    """Set the current price of a symbol in the embedded sim."""
    context: AppContext = ctx.obj
    try:
        amount = to_decimal(value, field="price")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if amount <= Decimal(0):
        raise typer.BadParameter("price must be positive")
    with steered_sim(context, "price") as sim:
        try:
            sim.controls.set_prices({symbol.upper(): amount})
        except ValueError as exc:  # an unknown symbol, or more decimals than a quote has
            raise typer.BadParameter(str(exc)) from None
    typer.echo(f"{symbol.upper()} now {amount}{sim.where()}")


def _move_cash(context: AppContext, amount: str, command: str) -> None:
    """Deposit or withdraw ``amount`` on the sim the account uses, and say the cash now."""
    try:
        value = to_decimal(amount, field="amount")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with steered_sim(context, command) as sim:
        move = sim.controls.deposit if command == "deposit" else sim.controls.withdraw
        try:
            cash = move(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    done = "deposited" if command == "deposit" else "withdrew"
    typer.echo(f"{done} {value}: cash now {cash}{sim.where()}")


@sim_app.command("deposit")
def deposit(
    ctx: typer.Context,
    amount: str = typer.Argument(
        ..., metavar="AMOUNT", help="Dollars to add to the account's cash, e.g. 5000."
    ),
) -> None:
    """Add cash to the embedded sim account, as a bank transfer arriving would."""
    _move_cash(ctx.obj, amount, "deposit")


@sim_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    amount: str = typer.Argument(
        ..., metavar="AMOUNT", help="Dollars to take out of the account's cash, e.g. 5000."
    ),
) -> None:
    """Take cash out of the embedded sim account, as a bank transfer out would (a CSW activity)."""
    _move_cash(ctx.obj, amount, "withdraw")


@sim_app.command("clock")
def clock(
    ctx: typer.Context,
    minutes: int = typer.Option(0, metavar="N", help="Advance the sim clock by this many minutes."),
    days: int = typer.Option(0, metavar="N", help="Advance the sim clock by this many days."),
    open_market: bool = typer.Option(False, "--open", help="Jump to the next market open."),
    close_market: bool = typer.Option(
        False, "--close", help="Jump to the current session's close."
    ),
) -> None:
    """Show or move the embedded sim's clock (it never follows the wall clock)."""
    context: AppContext = ctx.obj
    if minutes < 0 or days < 0:
        raise typer.BadParameter("the sim clock only moves forward")
    with steered_sim(context, "clock") as sim:
        if open_market:
            sim.controls.open_market()
        if close_market:
            sim.controls.close_market()
        if minutes or days:
            sim.controls.advance(minutes=minutes, days=days)
        typer.echo(json.dumps({"now": sim.controls.now().isoformat()}))


@sim_app.command("block")
def block(
    ctx: typer.Context,
    off: bool = typer.Option(False, "--off", help="Unblock trading again."),
) -> None:
    """Block trading on the embedded sim account, as a broker may (--off unblocks it)."""
    context: AppContext = ctx.obj
    with steered_sim(context, "block") as sim:
        sim.controls.block_trading(not off)
    said = "trading unblocked" if off else "trading blocked: orders are refused"
    typer.echo(said + sim.where())


@sim_app.command("margin")
def margin(
    ctx: typer.Context,
    multiplier: int = typer.Option(4, metavar="N", help="Buying power multiple: 2 or 4."),
    spread: str = typer.Option("0.5", metavar="PCT", help="Bid-ask spread, percent of the price."),
    off: bool = typer.Option(False, "--off", help="Make it a cash account again."),
) -> None:
    """Make the embedded sim account a margin account (as real paper accounts are): buying
    power by Alpaca's rules, cash may go negative, orders fill at the quote (limits within it)."""
    context: AppContext = ctx.obj
    try:
        spread_pct = Decimal(0) if off else to_decimal(spread, field="--spread")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with steered_sim(context, "margin") as sim:
        try:
            sim.controls.set_margin(Decimal(1 if off else multiplier), spread_pct)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    if off:
        said = "cash account: buying power is the cash, fills at the last trade"
    else:
        said = f"margin account: multiplier {multiplier}, orders fill at a quote {spread_pct}% wide"
    typer.echo(said + sim.where())


def _ratio(text: str) -> tuple[Decimal, Decimal]:
    """ "2:1" (two new shares for one), "1:4" (one for four), or a plain "2" or "0.25"."""
    parts = text.split(":")
    if len(parts) > 2:
        raise typer.BadParameter(f"ratio {text!r}: expected NEW:OLD such as 2:1 or 1:4")
    try:
        new = to_decimal(parts[0], field="ratio")
        old = to_decimal(parts[1], field="ratio") if len(parts) == 2 else Decimal(1)
    except ValueError as exc:
        raise typer.BadParameter(f"ratio {text!r}: {exc}") from None
    if new <= 0 or old <= 0 or new == old:
        raise typer.BadParameter(f"ratio {text!r}: two different positive numbers, like 2:1")
    return new, old


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"date {text!r}: expected YYYY-MM-DD") from None


@sim_app.command("split")
def split(
    ctx: typer.Context,
    symbol: str = typer.Argument(..., metavar="SYMBOL", help="Symbol, e.g. XLK."),
    ratio: str = typer.Argument(
        ..., metavar="NEW:OLD", help="NEW:OLD shares: 2:1 doubles them, 1:4 quarters them."
    ),
    on: str = typer.Option(
        None,
        "--date",
        metavar="DATE",
        help="The split's day, YYYY-MM-DD (default: the sim's today).",
    ),
) -> None:
    """Split a stock in the embedded sim, as a broker does at the open: shares times the
    ratio, price and average cost divided by it, open orders of the symbol cancelled,
    two SPLIT activities booked, and split-adjusted bars before the day."""
    new, old = _ratio(ratio)
    day = _day(on)
    context: AppContext = ctx.obj
    with steered_sim(context, "split") as sim:
        try:
            record = sim.controls.split(symbol, new, old, day)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    typer.echo(f"{record.symbol} split {plain(new)}:{plain(old)} on {record.day}{sim.where()}")


@sim_app.command("dividend")
def dividend(
    ctx: typer.Context,
    symbol: str = typer.Argument(..., metavar="SYMBOL", help="Symbol, e.g. XLK."),
    per_share: str = typer.Argument(..., metavar="AMOUNT", help="Cash per share held, e.g. 0.52."),
) -> None:
    """Pay a cash dividend on a holding of the embedded sim account (a DIV activity)."""
    try:
        amount = to_decimal(per_share, field="per_share")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    context: AppContext = ctx.obj
    with steered_sim(context, "dividend") as sim:
        try:
            paid = sim.controls.dividend(symbol, amount)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    typer.echo(f"{symbol.upper()} paid {paid} in cash ({plain(amount)} a share){sim.where()}")


def _factor(text: str | None, option: str) -> Decimal:
    if text is None:
        return Decimal(1)
    try:
        value = to_decimal(text, field=option)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} {text!r}: {exc}") from None
    if not value.is_finite() or value <= 0:
        raise typer.BadParameter(f"{option} {text!r}: expected a positive factor, e.g. 0.1")
    return value


@sim_app.command("glitch")
def glitch(
    ctx: typer.Context,
    symbol: str = typer.Argument(None, metavar="SYMBOL", help="Symbol, e.g. QQQ."),
    latest: str = typer.Option(
        None, "--latest", metavar="FACTOR", help="Multiply the latest trade price, e.g. 0.1."
    ),
    quote: str = typer.Option(
        None, "--quote", metavar="FACTOR", help="Multiply the latest quote's bid and ask."
    ),
    bars_spike: str = typer.Option(
        None, "--bars-spike", metavar="FACTOR", help="Multiply every Nth daily bar's close."
    ),
    every: int = typer.Option(7, "--every", metavar="N", help="Which daily bars spike: 1 in N."),
    off: bool = typer.Option(False, "--off", help="Serve true data again (SYMBOL, or all)."),
) -> None:
    """Make the embedded sim's market data lie about one symbol while orders still fill
    at the true price: the latest trade, the quote, or spikes in the daily closes."""
    context: AppContext = ctx.obj
    if off:
        with steered_sim(context, "glitch") as sim:
            sim.controls.glitch_off(symbol.upper() if symbol else None)
        typer.echo(f"glitch off: {symbol.upper() if symbol else 'every symbol'}{sim.where()}")
        return
    if not symbol:
        raise typer.BadParameter("glitch: name a SYMBOL, or --off")
    factors = (
        _factor(latest, "--latest"),
        _factor(quote, "--quote"),
        _factor(bars_spike, "--bars-spike"),
    )
    if all(f == 1 for f in factors):
        raise typer.BadParameter("glitch: give --latest, --quote or --bars-spike (a factor not 1)")
    with steered_sim(context, "glitch") as sim:
        try:
            sim.controls.glitch(symbol, *factors, every)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    said = ", ".join(
        f"{name} x{plain(f)}"
        for name, f in zip(
            ("latest trade", "quote", f"1 in {every} daily closes"), factors, strict=True
        )
        if f != 1
    )
    typer.echo(f"{symbol.upper()} glitched: {said}; orders fill at the true price{sim.where()}")
