"""The alerts' words: a staged plan, an execution, a refusal, a trailing stop.

Plain text, compact enough for a phone and Telegram's 4,096-character limit: the
categories out of band, then the orders, then what to do next.
"""

from __future__ import annotations

from trader.core.money import CENT, dollars, plain
from trader.core.staging import StagedPlan
from trader.planning.service import PlanOutcome


def plan_alert(outcome: PlanOutcome) -> tuple[str, str]:
    plan = outcome.plan
    uid = outcome.staged.uid[:8] if outcome.staged else "-"
    title = f"trader: plan {uid} staged ({outcome.account_label})"
    lines = [
        f"Equity {dollars(plan.equity)}, cash {dollars(plan.cash)}, method {plan.method.value}",
        "Allocation (current/target %):",
    ]
    for row in plan.allocation:
        mark = "" if row.action.value == "HOLD" else f" {row.action.value}"
        lines.append(
            f"  {row.category} {row.current_pct.quantize(CENT)}/{row.target_pct.quantize(CENT)}"
            f"{mark}"
        )
    lines.append("Orders:")
    for order in plan.orders:
        kind = "" if order.kind == "rebalance" else f" [{order.kind.replace('_', ' ')}]"
        lines.append(
            f"  {order.side.value.upper()} {order.symbol} {plain(order.qty)} ≈ "
            f"{dollars(order.est_value)}{kind}"
        )
    if plan.tax.harvested_loss:
        lines.append(
            f"Harvest: {dollars(plan.tax.harvested_loss)} realized, about "
            f"{dollars(plan.tax.tax_saved)} of tax (estimate)"
        )
    for order in plan.orders:
        if order.kind == "trailing_stop":
            lines.append(f"Trailing stop: {order.reason}")
    lines.append(
        f"Cash after {dollars(plan.cash_after)}. Review: trader execute; send: trader execute --confirm"
    )
    return title, "\n".join(lines)


def execution_alert(plan: StagedPlan, status: str, notes: list[str]) -> tuple[str, str]:
    title = f"trader: plan {plan.uid[:8]} executed: {status.replace('_', ' ')}"
    lines = []
    for order in plan.orders:
        filled = f"{plain(order.filled_qty)} filled" if order.filled_qty else "nothing filled"
        price = f" at {dollars(order.filled_avg_price)}" if order.filled_avg_price else ""
        why = (
            f" ({order.message})"
            if order.status in ("rejected", "skipped") and order.message
            else ""
        )
        lines.append(
            f"{order.side.value.upper()} {order.symbol} ({order.kind.replace('_', ' ')}): "
            f"{order.status}, {filled}{price}{why}"
        )
    lines.extend(notes)
    return title, "\n".join(lines)


def refusal_alert(what: str, message: str) -> tuple[str, str]:
    return f"trader: {what} refused", message
