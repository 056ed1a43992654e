"""``trader lots``: the tax lots of each holding, their unrealized gains, the wash-sale windows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from trader.cli.context import AppContext
from trader.cli.formatting import money, to_json_value
from trader.core.money import ZERO, plain
from trader.errors import ConfigError

if TYPE_CHECKING:
    from trader.core.domain import AccountSnapshot


def read_history(
    context: AppContext, *, no_sync: bool, live: bool
) -> tuple[AccountSnapshot, Any, date]:
    """The account (synced now, or the last stored sync with ``no_sync`` or when the
    database is read-only), its history of fills and lots, and the market date they are
    as of."""
    from trader.app.sync import sync_account
    from trader.broker.connect import open_broker
    from trader.core.domain import AccountMode
    from trader.core.schedule import market_date
    from trader.planning.tax_inputs import account_history

    mode = AccountMode(context.settings.account)
    store = context.open_store()
    try:
        if not no_sync and store.read_only:
            typer.echo(
                f"warning: {context.home} is read-only: showing the last stored sync", err=True
            )
            no_sync = True
        if no_sync:
            key = store.latest_account(mode)
            snapshot = store.latest_snapshot(key) if key else None
            if key is None or snapshot is None:
                raise ConfigError(f"--no-sync: no stored sync of the {mode.value} account")
            today = market_date(snapshot.taken_at)
        else:
            with open_broker(context.settings, context.home, live_flag=live) as opened:
                snapshot = sync_account(opened.broker, store, mode).snapshot
                key = store.ensure_account(mode, snapshot.account)
                today = market_date(opened.broker.clock().timestamp)
        return snapshot, account_history(store, key, snapshot), today
    finally:
        store.close()


def lots_report(snapshot: AccountSnapshot, history: Any, today: date, symbol: str | None) -> dict:
    from trader.core.lots import is_long_term

    prices = {p.symbol: p.current_price for p in snapshot.positions}
    holdings = []
    for held, lots in history.book.lots.items():
        if symbol is not None and held != symbol:
            continue
        price = prices.get(held)
        if price is None:
            continue
        rows = []
        short = long = ZERO
        for lot in lots:
            gain = lot.gain_at(price)
            term = (
                "unknown"
                if lot.acquired is None
                else "long"
                if is_long_term(lot.acquired, today)
                else "short"
            )
            if term == "long":
                long += gain
            else:
                short += gain
            rows.append(
                {
                    "qty": lot.qty,
                    "cost": lot.cost,
                    "acquired": lot.acquired.isoformat() if lot.acquired else None,
                    "days_held": (today - lot.acquired).days if lot.acquired else None,
                    "term": term,
                    "unrealized": gain,
                    # A wash sale's replacement: the disallowed loss in its cost, and the
                    # day it was really bought (its holding period starts at "acquired").
                    "washed": lot.washed if lot.washed else None,
                    "bought": lot.bought.isoformat() if lot.bought else None,
                }
            )
        corporate = history.corporate
        holdings.append(
            {
                "symbol": held,
                "price": price,
                # Splits replayed into these lots: shares times the ratio, cost divided.
                "splits": [
                    {"day": s.day.isoformat(), "ratio": s.label, "old": s.old, "new": s.new}
                    for s in corporate.splits_of(held)
                ],
                "notes": [n.text for n in corporate.notes_of(held)],
                "lots": rows,
                "unrealized_short_term": short,
                "unrealized_long_term": long,
            }
        )
    windows = [
        {"symbol": s, "window": kind, "since": since.isoformat(), "until": until.isoformat()}
        for s, kind, since, until in history.wash.open_windows(today)
        if symbol is None or s == symbol
    ]
    return {"as_of": today.isoformat(), "holdings": holdings, "wash_sale_windows": windows}


def lots(
    ctx: typer.Context,
    symbol: str | None = typer.Argument(None, metavar="SYMBOL", help="Only this symbol."),
    no_sync: bool = typer.Option(False, "--no-sync", help="Use the last stored sync."),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    as_json: bool = typer.Option(False, "--json", help="Print the lots as JSON."),
) -> None:
    """Show each holding's tax lots (FIFO, from the account's fills), unrealized gain split
    short-term / long-term (held more than a year), and the open wash-sale windows."""
    context: AppContext = ctx.obj
    settings = context.settings
    if settings.account == "manual":
        raise ConfigError("account 'manual' has no fills to rebuild lots from")
    wanted = symbol.upper() if symbol else None
    snapshot, history, today = read_history(context, no_sync=no_sync, live=live)
    report = lots_report(snapshot, history, today, wanted)
    if as_json:
        typer.echo(json.dumps(to_json_value(report), indent=2))
        return
    print_lots(context, report, wanted)


def print_lots(context: AppContext, report: dict, symbol: str | None = None) -> None:
    console = context.console
    if not report["holdings"]:
        console.print(f"No lots: {symbol} is not held" if symbol else "No lots: nothing held")
    for holding in report["holdings"]:
        table = Table(
            title=f"{holding['symbol']} at {money(holding['price'])}", title_justify="left"
        )
        for name in ("Acquired", "Days", "Term", "Qty", "Cost/share", "Unrealized", "Washed"):
            table.add_column(
                name, justify="left" if name in ("Acquired", "Term", "Washed") else "right"
            )
        for lot in holding["lots"]:
            gain: Decimal = lot["unrealized"]
            style = "green" if gain > 0 else "red" if gain < 0 else ""
            table.add_row(
                lot["acquired"] or "unknown",
                str(lot["days_held"]) if lot["days_held"] is not None else "-",
                lot["term"],
                plain(lot["qty"]),
                money(lot["cost"]),
                f"[{style}]{money(gain)}[/]" if style else money(gain),
                f"washed: +{money(lot['washed'])} basis, bought {lot['bought']}"
                if lot["washed"]
                else "",
            )
        console.print(table)
        for split in holding["splits"]:
            console.print(
                f"  split {split['ratio']} on {split['day']}: shares times "
                f"{plain(split['new'] / split['old'])}, cost per share divided by it, "
                "acquisition dates kept"
            )
        for note in holding["notes"]:
            console.print(f"  [yellow]note:[/] {note}")
        console.print(
            f"  unrealized: short-term {money(holding['unrealized_short_term'])}, "
            f"long-term {money(holding['unrealized_long_term'])} (unknown dates count as "
            f"short-term)"
        )
    if report["wash_sale_windows"]:
        table = Table(title="Wash-sale windows open today", title_justify="left")
        for name in ("Symbol", "Window", "Since", "Until"):
            table.add_column(name)
        for window in report["wash_sale_windows"]:
            table.add_row(window["symbol"], window["window"], window["since"], window["until"])
        console.print(table)
    else:
        console.print(f"No wash-sale window is open on {report['as_of']}.")
