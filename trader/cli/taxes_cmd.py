"""``trader taxes``: a year's realized gains and losses from the account's fills (an estimate)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from trader.cli.context import AppContext
from trader.cli.formatting import money, to_json_value
from trader.cli.lots_cmd import read_history
from trader.core.money import ZERO
from trader.errors import ConfigError

NOTE = (
    "an estimate from the account's fills, first in first out, with wash sales applied; "
    "not tax advice: the broker's 1099-B is the record"
)


def taxes(
    ctx: typer.Context,
    year: int | None = typer.Option(
        None, "--year", metavar="YEAR", help="The tax year (default: this year)."
    ),
    no_sync: bool = typer.Option(False, "--no-sync", help="Use the last stored sync."),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Estimate a year's realized short- and long-term gains and losses from the account's
    fills, with the losses washed by wash sales shown apart, and the cash dividends received."""
    from trader.core.tax_year import tax_year

    context: AppContext = ctx.obj
    settings = context.settings
    if settings.account == "manual":
        raise ConfigError("account 'manual' has no fills to compute realized gains from")
    if year is not None and not 1900 <= year <= 9999:
        raise ConfigError(f"--year {year}: not a year")
    _, history, today = read_history(context, no_sync=no_sync, live=live)
    summary = tax_year(history.book.closed, year or today.year)
    paid = [d for d in history.corporate.dividends if d.day.year == summary.year]
    dividends = sum((d.net_amount or ZERO for d in paid), ZERO)
    report = {
        "year": summary.year,
        "estimate": True,
        "note": NOTE,
        "short_term_gains": summary.short_term_gains,
        "short_term_losses": summary.short_term_losses,
        "net_short_term": summary.net_short_term,
        "long_term_gains": summary.long_term_gains,
        "long_term_losses": summary.long_term_losses,
        "net_long_term": summary.net_long_term,
        "washed_losses": summary.washed_losses,
        "proceeds": summary.proceeds,
        "lots_closed": summary.sales,
        # Cash dividends booked in the year (DIV activities), before any tax withheld.
        "dividends": dividends,
        "dividend_payments": len(paid),
    }
    if as_json:
        typer.echo(json.dumps(to_json_value(report), indent=2))
        return
    table = Table(title=f"Realized in {summary.year} (estimate)", title_justify="left")
    for name in ("", "Gains", "Losses", "Net"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row(
        "Short-term",
        money(summary.short_term_gains),
        money(summary.short_term_losses),
        money(summary.net_short_term),
    )
    table.add_row(
        "Long-term",
        money(summary.long_term_gains),
        money(summary.long_term_losses),
        money(summary.net_long_term),
    )
    context.console.print(table)
    context.console.print(
        f"Washed losses (disallowed, added to the replacement shares' basis): "
        f"{money(summary.washed_losses)}. Proceeds {money(summary.proceeds)} from "
        f"{summary.sales} lot piece(s) sold."
    )
    if paid:
        context.console.print(
            f"Cash dividends received: {money(dividends)} in {len(paid)} payment(s)."
        )
    context.console.print(f"[dim]Note: {NOTE}.[/]")
