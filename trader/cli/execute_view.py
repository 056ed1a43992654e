"""The execution as a person reads it: what would be sent, and what happened to each order."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from trader.cli.formatting import add_columns, money
from trader.core.money import plain
from trader.core.staging import StagedOrder, StagedPlan
from trader.execution.executor import ExecutionOutcome
from trader.execution.report import execution_status

WIDE = 120  # columns from which the preview shows whole client order ids
STATUS_STYLE = {
    "filled": "green",
    "partially_filled": "yellow",
    "accepted": "yellow",
    "submitted": "yellow",
    "rejected": "bold red",
    "skipped": "dim",
    "cancelled": "dim",
    "expired": "dim",
}


def print_preview(
    console: Console,
    plan: StagedPlan,
    pending: list[StagedOrder],
    prices: dict[str, Decimal],
    limits: dict[int, Decimal] | None = None,
    collar_pct: Decimal = Decimal(0),
) -> None:
    """``limits``: each order's limit price by its number (none: market orders)."""
    limits = limits or {}
    if not pending:
        console.print(f"Plan {plan.uid}: every order was already sent; nothing left to send.")
        return
    # The client order ids all start with the plan's: on a narrow terminal only their
    # ends are shown (the caption gives the whole form), and no quantity is ever cut.
    prefix = f"trader-{plan.uid}-"
    whole_ids = console.width >= WIDE
    table = Table(
        title=f"Plan {plan.uid}: would send (sells first)",
        title_justify="left",
        caption=None if whole_ids else f"Client order id: {prefix}…",
        caption_justify="left",
    )
    add_columns(
        table,
        ("#", "Side", "Symbol", "Qty", "Planned at", "Now", "Value now", "Client order id"),
        left={"Side", "Symbol"},
        wrap={"Client order id"},
    )
    for order in sorted(pending, key=lambda o: (o.side.value != "sell", o.seq)):
        price = prices.get(order.symbol, order.est_price)
        client_id = order.client_order_id
        if not whole_ids and client_id.startswith(prefix):
            client_id = "…" + client_id.removeprefix(prefix)
        table.add_row(
            str(order.seq),
            order.side.value.upper(),
            order.symbol,
            plain(order.qty),
            money(order.est_price),
            money(price),
            money(order.qty * price),
            client_id,
        )
    console.print(table)
    if limits:
        each = ", ".join(
            f"{o.side.value} {o.symbol} {money(limits[o.seq])}"
            for o in sorted(pending, key=lambda o: (o.side.value != "sell", o.seq))
            if o.seq in limits
        )
        console.print(
            f"Day limit orders within the {plain(collar_pct)}% collar "
            f"(execution.price_collar_pct): {each}."
        )
    else:
        console.print("Market day orders (execution.order_type: market).")
    console.print(
        "Every check passed (plan age, account unchanged, prices, market open, limits). "
        "Buys are sized again from the cash after the sells.\n"
        "Nothing was sent. To send: [bold]trader execute --confirm[/]"
    )


def _filled(filled: Decimal, sent: Decimal | None) -> str:
    """What filled of what was sent: the quantity alone when all of it, ``-`` if unsent."""
    if sent is None:
        return "-"
    return plain(filled) if filled == sent else f"{plain(filled)} of {plain(sent)}"


def print_execution(console: Console, outcome: ExecutionOutcome, report: Path | None) -> None:
    plan = outcome.plan
    table = Table(title=f"Plan {plan.uid}: execution", title_justify="left")
    add_columns(
        table,
        ("#", "Side", "Symbol", "Kind", "Filled", "Avg price", "Status", "Note"),
        left={"Side", "Symbol", "Kind", "Status"},
        wrap={"Note"},
    )
    for order in plan.orders:
        style = STATUS_STYLE.get(order.status, "")
        table.add_row(
            str(order.seq),
            order.side.value.upper(),
            order.symbol,
            order.kind.replace("_", " "),
            _filled(order.filled_qty, order.sent_qty),
            money(order.filled_avg_price) if order.filled_avg_price is not None else "-",
            f"[{style}]{order.status}[/]" if style else order.status,
            order.message or "",
        )
    console.print(table)
    for note in outcome.notes:
        console.print(f"note: {note}")
    console.print(
        f"Sent {outcome.sent} order(s); result: [bold]{execution_status(plan)}[/]. "
        + (f"Report: {report}" if report else "No report (see the warning).")
    )
