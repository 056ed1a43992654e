"""A plan as JSON: what ``trader plan --json`` prints and what ``paper_logs/`` keeps.

Decimals are strings. Money is rounded half-even to the cent and percentages to
two places for reading; quantities are exact (they are what will be sent).
The staged orders' ``client_order_id`` is included, so a report can be matched
with the broker's order history.

Each allocation row also has the category after the plan (every order filled at its
estimated price): ``value_after``, ``pct_after``, ``drift_after_pct``, ``action_after``,
and ``drift_fixed_pct``, the points of drift the plan removes (|drift| before less
|drift| after; negative when it adds some). ``cash_flow`` says how the plan used a
deposit, a withdrawal or the cash above the reserve: the mode, the kind of plan made
(``full``, ``buy_only``, ``sell_only`` or ``none``), why, and notes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from trader.core.engine import Plan
from trader.core.money import CENT, cents, plain
from trader.core.policy import Policy


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{cents(value):.2f}"


def _pct(value: Decimal) -> str:
    return f"{value.quantize(CENT):.2f}"


def plan_payload(
    plan: Plan,
    policy: Policy,
    *,
    plan_id: str | None,
    created_at: datetime,
    account: str,
    client_order_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The plan in the documented JSON shape (plus the totals a reader needs)."""
    ids = client_order_ids or [None] * len(plan.orders)
    if len(ids) != len(plan.orders):
        raise ValueError("one client order id per order")
    flow = plan.cash_flow
    return {
        "plan_id": plan_id,
        "created_at": created_at.isoformat(),
        "account": account,
        "method": plan.method.value,
        "due": plan.due,
        "staged": plan_id is not None,
        "equity": _money(plan.equity),
        "cash": _money(plan.cash),
        "cash_reserve": _money(plan.reserve),
        "investable": _money(plan.investable),
        "cash_after": _money(plan.cash_after),
        "input_hash": plan.input_hash,
        "cash_flow": {
            "mode": flow.mode.value,
            "plan": flow.kind.value,
            "deposit": _money(flow.deposit) if flow.deposit else None,
            "withdrawal": _money(flow.withdrawal) if flow.withdrawal else None,
            "withdrawal_set_aside": _money(flow.set_aside) if flow.set_aside else None,
            "waits_for_deposit": bool(flow.deposit),
            "reason": flow.reason,
            "notes": list(flow.notes),
        },
        "allocation": [
            {
                "category": row.category,
                "target_pct": _pct(row.target_pct),
                "current_pct": _pct(row.current_pct),
                "drift_pct": _pct(row.drift_pct),
                "band_pct": _pct(row.band_pct),
                "action": row.action.value,
                "current_value": _money(row.current_value),
                "target_value": _money(row.target_value),
                "value_after": _money(after.current_value),
                "pct_after": _pct(after.current_pct),
                "drift_after_pct": _pct(after.drift_pct),
                "action_after": after.action.value,
                "drift_fixed_pct": _pct(abs(row.drift_pct) - abs(after.drift_pct)),
            }
            for row, after in zip(plan.allocation, plan.allocation_after, strict=True)
        ],
        "orders": [
            {
                "symbol": order.symbol,
                "side": order.side.value,
                "qty": plain(order.qty),
                "notional": None,
                "est_price": _money(order.est_price),
                "est_value": _money(order.est_value),
                "category": order.category,
                "reason": order.reason,
                "est_realized_pl": _money(order.est_realized_pl),
                "est_short_term": _money(order.est_short_term),
                "est_long_term": _money(order.est_long_term),
                "est_washed": _money(order.est_washed),
                "washed": order.est_washed is not None,
                "kind": order.kind,
                "client_order_id": client_id,
            }
            for order, client_id in zip(plan.orders, ids, strict=True)
        ],
        "skipped": [
            {
                "symbol": skip.symbol,
                "category": skip.category,
                "side": skip.side.value,
                "reason": skip.reason,
            }
            for skip in plan.skipped
        ],
        "warnings": list(plan.warnings),
        "tax": {
            "note": "an estimate from the tax lots at the estimated prices, not tax advice",
            "short_term_gains": _money(plan.tax.short_term_gains),
            "short_term_losses": _money(plan.tax.short_term_losses),
            "long_term_gains": _money(plan.tax.long_term_gains),
            "long_term_losses": _money(plan.tax.long_term_losses),
            "harvested_loss": _money(plan.tax.harvested_loss),
            "tax_saved_by_harvesting": _money(plan.tax.tax_saved),
            "washed_loss": _money(plan.tax.washed_loss),
            "estimated_tax": _money(plan.tax.estimated_tax),
            "short_term_rate_pct": plain(policy.short_term_tax_rate),
            "long_term_rate_pct": plain(policy.long_term_tax_rate),
            "lots_known": plan.tax.lots_known,
        },
    }
