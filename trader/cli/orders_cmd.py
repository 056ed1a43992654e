"""``trader orders`` (the broker's recent orders) and ``trader history`` (past plans and runs)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from trader.cli.context import AppContext
from trader.cli.formatting import add_columns, json_money, money, to_json_value
from trader.core.money import ZERO, plain
from trader.errors import ConfigError

if TYPE_CHECKING:
    from trader.core.staging import StagedPlan


WIDE = 110  # columns from which history shows every column


def orders(
    ctx: typer.Context,
    limit: int = typer.Option(
        50, min=1, max=500, metavar="N", help="How many recent orders to show."
    ),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    as_json: bool = typer.Option(False, "--json", help="Print the orders as JSON."),
    cancel: str | None = typer.Option(
        None, "--cancel", metavar="ID", help="Cancel this open order (broker or client order id)."
    ),
    all_ours: bool = typer.Option(
        False, "--all-ours", help="Cancel every open order trader sent (never the user's own)."
    ),
    not_ours: bool = typer.Option(
        False, "--not-ours", help="With --cancel: cancel it even if trader did not send it."
    ),
) -> None:
    """Show the account's recent orders at the broker, and which plan sent each; or cancel
    open orders with --cancel ID or --all-ours (only trader's own, unless --not-ours).

    The store's record of the plan's orders is brought up to date on the way.
    """
    from trader.broker.connect import open_broker
    from trader.core.schedule import market_time
    from trader.core.staging import parse_client_order_id
    from trader.execution.submit import record

    context: AppContext = ctx.obj
    settings = context.settings
    if settings.account == "manual":
        raise ConfigError("account 'manual' has no broker orders")
    if cancel is not None and all_ours:
        raise ConfigError("--cancel and --all-ours: give one of them")
    if not_ours and cancel is None:
        raise ConfigError("--not-ours goes with --cancel ID")
    if cancel is not None or all_ours:
        _cancel(context, cancel, not_ours, live)
        return
    store = context.open_store()
    rows: list[dict[str, Any]] = []
    plans: dict[str, StagedPlan | None] = {}
    try:
        with open_broker(settings, context.home, live_flag=live) as opened:
            try:
                for order in opened.broker.orders(status="all", limit=limit):
                    ours = parse_client_order_id(order.client_order_id)
                    sent_at = None
                    if ours:
                        if ours[0] not in plans:
                            plans[ours[0]] = store.staged_plan(opened.mode, ours[0])
                        plan = plans[ours[0]]
                        if plan is not None:
                            record(store, ours[0], ours[1], order, "orders")
                            sent_at = _sent_at(plan, ours[1])
                    rows.append(
                        {
                            "plan_id": ours[0] if ours else None,
                            "client_order_id": order.client_order_id,
                            "broker_order_id": order.order_id,
                            "symbol": order.symbol,
                            "side": order.side.value,
                            "type": order.order_type,
                            "qty": order.qty,
                            "notional": order.notional,
                            "filled_qty": order.filled_qty,
                            "filled_avg_price": order.filled_avg_price,
                            "status": order.status,
                            "submitted_at": order.submitted_at,
                            "sent_at": sent_at,
                        }
                    )
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event("orders", "broker_call", outcome, {"action": action})
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(to_json_value(rows), indent=2))
        return
    foreign = any(row["sent_at"] is None and row["submitted_at"] for row in rows)
    table = Table(
        title="Recent orders (newest first; times are New York time)",
        title_justify="left",
        caption=FOREIGN_TIME if foreign else None,
        caption_justify="left",
    )
    add_columns(
        table,
        ("Submitted", "Side", "Symbol", "Qty", "Filled", "Avg price", "Status", "Plan"),
        left={"Side", "Symbol"},
        wrap={"Submitted", "Status", "Plan"},
    )
    for row in rows:
        qty = row["qty"] if row["qty"] is not None else None
        if row["sent_at"] is not None:
            when = market_time(row["sent_at"])
        else:
            when = f"{market_time(row['submitted_at'])} *" if row["submitted_at"] else "-"
        table.add_row(
            when,
            row["side"].upper(),
            row["symbol"],
            plain(qty) if qty is not None else f"${plain(row['notional'] or ZERO)}",
            plain(row["filled_qty"]),
            money(row["filled_avg_price"]) if row["filled_avg_price"] is not None else "-",
            row["status"],
            (row["plan_id"] or "")[:8] or "(not trader's)",
        )
    context.console.print(table)


# trader's records (plans, runs, the orders it sent) are on this machine's clock; the
# broker's time of an order trader did not send is the broker's (on the sim, its own clock).
FOREIGN_TIME = "* the broker's time of an order trader did not send (on the sim: the sim's clock)."


def _sent_at(plan: StagedPlan, seq: int) -> Any:
    """When trader sent order ``seq`` of ``plan``, by the clock of its other records."""
    return next((o.submitted_at for o in plan.orders if o.seq == seq), None)


def _cancel(context: AppContext, cancel_id: str | None, not_ours: bool, live: bool) -> None:
    from trader.broker.connect import open_broker
    from trader.cli.cancel_orders import cancel_orders, choose

    store = context.open_store()
    try:
        with open_broker(context.settings, context.home, live_flag=live) as opened:
            try:
                chosen = choose(opened.broker.open_orders(), cancel_id, not_ours)
                lines = cancel_orders(opened.broker, store, opened.mode, chosen)
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event("orders --cancel", "broker_call", outcome, {"action": action})
    finally:
        store.close()
    if not lines:
        context.console.print("no open order of trader's to cancel")
        return
    context.console.print(f"cancelled {len(lines)} order(s):")
    for line in lines:
        context.console.print(f"  {line}", highlight=False)


def plan_history(plan: StagedPlan, executions: list[dict[str, Any]]) -> dict[str, Any]:
    """A plan's record: what it planned, what filled, and the realized P&L it estimated."""
    sold = bought = realized = washed = ZERO
    kinds: dict[str, int] = {}
    for order in plan.orders:
        kinds[order.kind] = kinds.get(order.kind, 0) + 1
    for order in plan.orders:
        if order.filled_qty <= ZERO:
            continue
        value = order.filled_qty * (order.filled_avg_price or order.est_price)
        if order.side.value == "sell":
            sold += value
            if order.est_realized_pl is not None:
                realized += order.est_realized_pl * order.filled_qty / order.qty
            if order.est_washed is not None:
                washed += order.est_washed * order.filled_qty / order.qty
        else:
            bought += value
    return {
        "plan_id": plan.uid,
        "created_at": plan.created_at,
        "status": plan.status,
        "orders": len(plan.orders),
        "filled": sum(1 for o in plan.orders if o.status == "filled"),
        "sold": sold,
        "bought": bought,
        "est_realized_pl": realized,
        "est_washed": washed,
        "kinds": dict(sorted(kinds.items())),
        "order_list": [
            {
                "seq": o.seq,
                "symbol": o.symbol,
                "side": o.side.value,
                "kind": o.kind,
                "status": o.status,
                "est_washed": o.est_washed,
            }
            for o in plan.orders
        ],
        "executions": [
            {"started_at": e["started_at"], "status": e["status"], "detail": e["detail"]}
            for e in executions
        ],
    }


def history(
    ctx: typer.Context,
    limit: int = typer.Option(20, min=1, max=1000, metavar="N", help="How many plans to show."),
    as_json: bool = typer.Option(False, "--json", help="Print the history as JSON."),
) -> None:
    """Show past plans and their executions from the store, with what they sold and bought."""
    from trader.core.domain import AccountMode
    from trader.core.schedule import market_time

    context: AppContext = ctx.obj
    mode = AccountMode(context.settings.account)
    store = context.open_store()
    try:
        entries = [plan_history(p, store.executions(p.uid)) for p in store.plans(mode, limit)]
    finally:
        store.close()
    if as_json:
        rounded = [
            {**e, **{k: json_money(e[k]) for k in ("sold", "bought", "est_realized_pl")}}
            for e in entries
        ]
        typer.echo(json.dumps(to_json_value(rounded), indent=2))
        return
    # On a narrow terminal the kinds and the runs give way, so that no figure is cut.
    wide = context.console.width >= WIDE
    table = Table(
        title=f"Plans of the {mode.value} account (newest first; times are New York time)",
        title_justify="left",
        caption=None if wide else "Kinds and runs: on a wider terminal, or with --json.",
        caption_justify="left",
    )
    columns = ["Made", "Plan", "Status", "Filled", "Kinds", "Sold", "Bought", "Est. P&L", "Runs"]
    shown = columns if wide else [c for c in columns if c not in ("Kinds", "Runs")]
    add_columns(table, shown, left={"Plan"}, wrap={"Made", "Status", "Kinds", "Runs"})
    for entry in entries:
        row = [
            market_time(entry["created_at"]),
            entry["plan_id"][:8],
            entry["status"],
            f"{entry['filled']}/{entry['orders']}",
            ", ".join(f"{kind} {n}" for kind, n in entry["kinds"].items()) or "-",
            money(entry["sold"]),
            money(entry["bought"]),
            money(Decimal(entry["est_realized_pl"])),
            ", ".join(e["status"] for e in entry["executions"]) or "-",
        ]
        cells = dict(zip(columns, row, strict=True))
        table.add_row(*(cells[name] for name in shown))
    context.console.print(table)
