"""``trader scores``: the scores the buy choice uses, and where they come from."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.table import Table

from trader.cli.context import AppContext
from trader.cli.formatting import to_json_value


def scores(
    ctx: typer.Context,
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Print each category symbol's score (0-100): from scores_file, else the built-in one
    computed from daily bars (how far the price sits below its 50-day average and its
    one-year high), cached in the store for the day."""
    from trader.broker.connect import open_broker
    from trader.core.schedule import market_date
    from trader.planning.inputs import categorised_symbols
    from trader.planning.scores import scores_for

    context: AppContext = ctx.obj
    settings = context.settings
    symbols = categorised_symbols(settings)
    store = context.open_store()
    try:
        if settings.account == "manual":
            found = scores_for(settings, None, store, symbols, market_date(datetime.now(UTC)))
        else:
            with open_broker(settings, context.home, live_flag=live) as opened:
                today = market_date(opened.broker.clock().timestamp)
                found = scores_for(settings, opened.broker, store, symbols, today)
    finally:
        store.close()
    threshold = settings.rebalancing.prefer_etfs_with_score_above
    rows = [
        {
            "category": category,
            "symbol": symbol,
            "score": found.values.get(symbol),
            "as_of": found.as_of.get(symbol),
            "preferred": threshold is not None
            and found.values.get(symbol) is not None
            and found.values[symbol] >= threshold,
        }
        for category, members in settings.categories.items()
        for symbol in members
    ]
    if as_json:
        typer.echo(
            json.dumps(
                to_json_value({"source": found.source, "scores": rows, "warnings": found.warnings}),
                indent=2,
            )
        )
        return
    table = Table(
        title=f"Scores ({found.source}); buys prefer {threshold if threshold is not None else '-'} and up",
        title_justify="left",
    )
    for name in ("Category", "Symbol", "Score", "As of"):
        table.add_column(name, justify="right" if name == "Score" else "left")
    for row in rows:
        score = "-" if row["score"] is None else str(row["score"])
        table.add_row(
            row["category"],
            row["symbol"],
            f"[green]{score}[/]" if row["preferred"] else score,
            str(row["as_of"] or "-"),
        )
    context.console.print(table)
    for warning in found.warnings:
        context.console.print(f"[yellow]warning:[/] {warning}")
