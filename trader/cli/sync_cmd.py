"""``trader sync``: pull the account into the store and show the holdings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext
from trader.cli.formatting import (
    holdings_json,
    holdings_table,
    json_money,
    json_pct,
    money,
    to_json_value,
    weight_of,
)

if TYPE_CHECKING:
    from trader.app.sync import SyncResult


def corporate_lines(result: SyncResult) -> list[str]:
    """What the corporate actions read by this sync mean: splits applied, notes."""
    from trader.core.corporate import read_actions

    history = read_actions(result.snapshot.corporate_actions)
    lines = [
        f"{s.symbol}: split {s.label} on {s.day}; the lots and the trailing stop's peak follow it"
        for s in history.splits
    ]
    lines.extend(
        f"{d.symbol}: cash dividend of {money(d.net_amount)} on {d.day}"
        for d in history.dividends
        if d.net_amount is not None
    )
    return [*lines, *(n.text for n in history.notes)]


def print_sync(context: AppContext, result: SyncResult, *, as_json: bool) -> None:
    account = result.snapshot.account
    if as_json:
        payload = {
            "account": {
                "mode": result.mode.value,
                "number": account.masked_number,
                "status": account.status,
                "cash": json_money(account.cash),
                "cash_weight_pct": json_pct(weight_of(account.cash, result.snapshot)),
                "equity": json_money(account.equity),
                "buying_power": json_money(account.buying_power),
            },
            "taken_at": result.snapshot.taken_at,
            "positions": holdings_json(result.snapshot),
            "open_orders": len(result.snapshot.open_orders),
            "not_managed": [
                {
                    "kind": f.kind,
                    "symbol": f.symbol,
                    "asset_class": f.asset_class,
                    "reason": f.reason,
                }
                for f in result.snapshot.foreign
            ],
            "new_fills": result.new_fills,
            "corporate_actions": corporate_lines(result),
            "plan_orders_updated": result.orders_updated,
            "daily_bars": list(result.bar_notes),
        }
        typer.echo(json.dumps(to_json_value(payload), indent=2))
        return
    console = context.console
    console.print(
        f"Account: [bold]{result.mode.value}[/] {account.masked_number} ({account.status})"
    )
    console.print(holdings_table(result.snapshot))
    for record in result.snapshot.foreign:
        console.print(f"[yellow]warning:[/] {record.warning}", highlight=False)
    for line in corporate_lines(result):
        console.print(f"corporate action: {line}", highlight=False)
    for line in result.bar_notes:
        console.print(f"[yellow]daily bars:[/] {line}", highlight=False)
    console.print(
        f"Cash: {money(account.cash)}   Equity: {money(account.equity)}   "
        f"Open orders: {len(result.snapshot.open_orders)}   New fills recorded: {result.new_fills}"
        + (
            f"   Plan orders brought up to date: {result.orders_updated}"
            if result.orders_updated
            else ""
        )
    )


def sync(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
) -> None:
    """Pull positions, cash, open orders, new fills and corporate actions (splits,
    dividends) from the broker into the store."""
    context: AppContext = ctx.obj
    from trader.app.sync import run_sync

    print_sync(context, run_sync(context, live=live), as_json=as_json)
