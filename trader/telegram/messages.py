"""What the bot says, and what its buttons carry.

A button's callback data is ``<action>:<plan id>:<token>`` — ``a`` Approve, ``r``
Reject, ``d`` Details — 59 bytes, under Telegram's limit of 64. Texts are plain
(no Markdown to escape) and short enough for a phone; the review that Details sends
is cut to Telegram's 4,096 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trader.core.engine.allocation import Allocation
from trader.core.money import CENT, dollars
from trader.core.schedule import market_time
from trader.core.staging import StagedPlan
from trader.telegram.api import Button

APPROVE, REJECT, DETAILS = "a", "r", "d"
_CALLBACK = re.compile(r"^([ard]):([0-9a-f]{32}):([A-Za-z0-9_-]{16,40})$")

COMMANDS = (
    ("status", "allocation, drift, next check and the last plan"),
    ("plan", "plan now and send it with its buttons"),
    ("pause", "stop trader run from staging or sending"),
    ("resume", "let trader run stage and send again"),
    ("help", "what the bot does"),
)


@dataclass(frozen=True, slots=True)
class Tap:
    action: str
    plan_uid: str
    token: str


def callback_data(action: str, plan_uid: str, token: str) -> str:
    data = f"{action}:{plan_uid}:{token}"
    if not _CALLBACK.match(data) or len(data.encode()) > 64:
        raise ValueError("callback data must be an action, a plan id and a token, in 64 bytes")
    return data


def parse_tap(data: str) -> Tap | None:
    """The tap's action, plan and token; None for data that is not one of our buttons."""
    match = _CALLBACK.match(data)
    return Tap(*match.groups()) if match else None


def plan_buttons(plan_uid: str, token: str, *, approvable: bool) -> list[list[Button]]:
    first = [Button("Approve", callback_data(APPROVE, plan_uid, token))] if approvable else []
    return [
        [*first, Button("Reject", callback_data(REJECT, plan_uid, token))],
        [Button("Details", callback_data(DETAILS, plan_uid, token))],
    ]


def buttons_line(expires_at: datetime, *, approvable: bool, why_not: str = "") -> str:
    until = market_time(expires_at)
    if approvable:
        return (
            f"Approve sends it now, as trader execute --confirm would; Reject drops it; "
            f"the buttons work once, until {until}."
        )
    return f"Reject drops it (until {until}). {why_not}".strip()


def help_text() -> str:
    lines = ["trader bot: your plans, approved from here.", ""]
    lines += [f"/{name} — {about}" for name, about in COMMANDS]
    lines += [
        "",
        "A staged plan arrives with Approve, Reject and Details buttons. Approve runs the "
        "same checks as trader execute --confirm and shows the fills; each button works "
        "once and only until the plan's plan_ttl_minutes are up.",
    ]
    return "\n".join(lines)


def allocation_lines(allocation: Allocation) -> list[str]:
    lines = ["Allocation (current / target, drift):"]
    for row in allocation.rows:
        sign = "+" if row.drift_pct > 0 else ""
        mark = "" if row.action.value == "HOLD" else f" {row.action.value}"
        lines.append(
            f"  {row.category} {row.current_pct.quantize(CENT)}% / "
            f"{row.target_pct.quantize(CENT)}%, {sign}{row.drift_pct.quantize(CENT)}{mark}"
        )
    if allocation.uncategorised:
        lines.append(f"  in no category: {', '.join(allocation.uncategorised)}")
    return lines


def plan_state(plan: StagedPlan | None) -> str:
    if plan is None:
        return "Last plan: none yet."
    return (
        f"Last plan: {plan.uid[:8]}, {plan.status}, made {market_time(plan.created_at)}, "
        f"{len(plan.orders)} order(s)."
    )


def review_text(plan: StagedPlan) -> str:
    """The full review of a stored plan, from its report: what Details sends."""
    payload = plan.payload
    lines = [
        f"Plan {plan.uid} ({plan.mode.value}, {plan.status}), made {market_time(plan.created_at)}",
        f"Method {plan.method}; equity {dollars(plan.equity)}, cash {dollars(plan.cash)}, "
        f"reserve {dollars(_money(payload.get('cash_reserve')))}, "
        f"investable {dollars(plan.investable)}",
        "",
        "Allocation (current / target, drift, band):",
    ]
    for row in payload.get("allocation", []):
        lines.append(
            f"  {row['category']} {row['current_pct']}% / {row['target_pct']}%, "
            f"{row['drift_pct']} ±{row['band_pct']} {row['action']}"
        )
    lines += ["", "Orders (sells first):"]
    for order in plan.orders:
        kind = "" if order.kind == "rebalance" else f" [{order.kind.replace('_', ' ')}]"
        pl = (
            f", est. P&L {dollars(order.est_realized_pl)}"
            if order.est_realized_pl is not None
            else ""
        )
        washed = f" (washed {dollars(order.est_washed)})" if order.est_washed is not None else ""
        lines.append(
            f"  {order.side.value.upper()} {order.symbol} {order.qty} at about "
            f"{dollars(order.est_price)} = {dollars(order.est_value)}{kind}{pl}{washed}: "
            f"{order.reason}"
        )
    skipped = payload.get("skipped", [])
    if skipped:
        lines += ["", "Not traded:"]
        lines += [f"  {s['side']} {s['symbol']} ({s['category']}): {s['reason']}" for s in skipped]
    tax = payload.get("tax", {})
    if tax.get("lots_known") and tax.get("estimated_tax") not in (None, "0.00"):
        lines += ["", f"Estimated tax effect: {dollars(_money(tax['estimated_tax']))} (estimate)"]
    warnings = payload.get("warnings", [])
    if warnings:
        lines += [""] + [f"warning: {w}" for w in warnings]
    lines += ["", f"Cash after: {dollars(plan.cash_after)}"]
    return "\n".join(lines)


def _money(value: str | None) -> Decimal:
    return Decimal(value) if value else Decimal(0)
