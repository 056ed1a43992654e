"""``trader backtest``: the config's policy replayed over history, seven ways."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from trader.backtest.names import STRATEGY_NAMES
from trader.cli.context import AppContext
from trader.cli.formatting import to_json_value, working
from trader.errors import ConfigError

if TYPE_CHECKING:
    pass


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _decimal(option: str, text: str, *, positive: bool = False) -> Decimal:
    """The option's number: zero or more, or above zero when ``positive``; the message
    says which, so that no value is refused by one rule and then by another."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"{option}: {text!r} is not a number") from None
    if positive and not (value.is_finite() and value > 0):
        raise ConfigError(f"{option}: {text!r} must be more than zero")
    if not value.is_finite() or value < 0:
        raise ConfigError(f"{option}: {text!r} must be zero or more")
    return value


CHART_FORMATS = ("png", "svg", "pdf")  # by the file's extension; matplotlib writes each


def _check_chart_path(chart: Path) -> str:
    """The chart's format, from its extension; a path of another kind, or one that cannot
    be written, is refused before the replay, not after it."""
    kind = chart.suffix.lower().lstrip(".")
    if kind not in CHART_FORMATS:
        raise ConfigError(
            f"--chart {chart}: a chart is a .png, .svg or .pdf file "
            f"(the extension picks the format), not {chart.suffix or 'a file without one'}"
        )
    folder = chart.parent
    if not folder.is_dir():
        raise ConfigError(f"--chart {chart}: folder {folder} does not exist")
    if chart.is_dir():
        raise ConfigError(f"--chart {chart}: is a folder, not a file")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"--chart {chart}: folder {folder} is not writable")
    return kind


def backtest(
    ctx: typer.Context,
    start: str = typer.Option(
        "2016-01-01", "--start", metavar="DATE", help="First day (YYYY-MM-DD)."
    ),
    end: str | None = typer.Option(
        None, "--end", metavar="DATE", help="Last day (default: the last complete session)."
    ),
    strategies: str = typer.Option(
        ",".join(STRATEGY_NAMES),
        "--strategies",
        metavar="NAMES",
        help="Comma-separated strategies to compare (default: all of "
        + ", ".join(STRATEGY_NAMES)
        + ").",
        show_default=False,
    ),
    prices: Path | None = typer.Option(
        None,
        "--prices",
        metavar="FILE",
        help="CSV of daily closes (date,SYM1,SYM2,... or date,symbol,close) instead of the "
        "broker's data API.",
        dir_okay=False,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    chart: Path | None = typer.Option(
        None,
        "--chart",
        metavar="FILE",
        help="Write the equity curves to this file: .png, .svg or .pdf (the extension "
        "picks the format).",
        dir_okay=False,
    ),
    cost_bps: str = typer.Option(
        "0", "--cost-bps", metavar="BPS", help="Cost of each order, basis points."
    ),
    risk_free: str = typer.Option(
        "0",
        "--risk-free",
        metavar="PCT",
        help="Risk-free rate for the Sharpe ratio, percent a year.",
    ),
    capital: str = typer.Option(
        "100000", "--capital", metavar="DOLLARS", help="Starting cash, dollars (above zero)."
    ),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        metavar="N",
        help="Processes replaying strategies side by side (0: one per CPU; 1: none). "
        "The results are the same either way.",
    ),
    live: bool = typer.Option(False, "--live", help="Confirm a live account (data only)."),
) -> None:
    """Replay the config's allocation and rules over daily closes: buy and hold, calendar
    (annual, quarterly, monthly) and band (threshold, relative 5/25, band edge) rebalancing,
    every trade decided by the same engine as `trader plan`. Prints CAGR, volatility,
    Sharpe, max drawdown, rebalances, turnover and costs per strategy. Sends no order."""
    from trader.app.backtest import SIM_SOURCE, broker_history
    from trader.app.backtest_pool import process_replay
    from trader.backtest import honesty_notes, parse_strategies, primary_symbols, run_backtest
    from trader.backtest.strategies import backtest_policy
    from trader.cli.backtest_view import backtest_payload, print_backtest, write_chart
    from trader.planning.inputs import policy_from_settings
    from trader.price_history import read_price_csv

    context: AppContext = ctx.obj
    settings = context.settings
    try:
        names = parse_strategies(strategies)
    except ValueError as exc:
        raise ConfigError(f"--strategies: {exc}") from None
    first = _date("--start", start)
    last = _date("--end", end)
    assert first is not None
    if last is not None and last < first:
        raise ConfigError(f"--end {last} is before --start {first}")
    costs = _decimal("--cost-bps", cost_bps)
    risk_free_pct = float(_decimal("--risk-free", risk_free))
    money = _decimal("--capital", capital, positive=True)
    chart_kind = _check_chart_path(chart) if chart is not None else "png"
    policy = policy_from_settings(settings)
    symbols = primary_symbols(backtest_policy(policy))
    if prices is not None:
        history = read_price_csv(prices)
        source = f"CSV file {prices}"
    else:
        with working(context.console, "Reading daily closes…", quiet=as_json):
            history, source, last = broker_history(context, symbols, first, last, live)
    started = datetime.now()
    try:
        with working(context.console, f"Replaying {len(names)} strategies…", quiet=as_json):
            result = run_backtest(
                policy,
                history,
                names,
                capital=money,
                cost_bps=costs,
                start=first,
                end=last,
                risk_free_pct=risk_free_pct,
                replay=process_replay(workers or None),
            )
    except ValueError as exc:
        raise ConfigError(f"backtest: {exc}") from None
    except ArithmeticError:  # decimal's 28 significant digits: no real account gets there
        raise ConfigError(
            "backtest: the amounts grew past 28 significant digits of exact decimal "
            "arithmetic; check the prices (they compound to sums no account holds)"
        ) from None
    elapsed = (datetime.now() - started).total_seconds()
    notes = honesty_notes(result, source)
    if chart is not None:
        write_chart(chart, result, kind=chart_kind, simulated=source.startswith(SIM_SOURCE))
        notes.append(f"chart written to {chart}")
    if as_json:
        payload = backtest_payload(result, source, notes)
        payload["seconds"] = round(elapsed, 3)
        typer.echo(json.dumps(to_json_value(payload), indent=2))
        return
    print_backtest(context.console, result, notes)
    context.console.print(f"({len(names)} strategies replayed in {elapsed:.2f} s)", style="dim")
