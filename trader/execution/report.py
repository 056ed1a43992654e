"""An execution as JSON: what ``trader execute --json`` prints and ``paper_logs/`` keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trader.core.money import plain
from trader.core.staging import StagedPlan


def execution_status(plan: StagedPlan) -> str:
    """``filled`` when every order filled; else what is worst: open, rejected, partial."""
    statuses = {o.status for o in plan.orders}
    if any(o.is_open for o in plan.orders):
        return "open_orders"
    if "rejected" in statuses:
        return "rejected_orders"
    if statuses <= {"filled"}:
        return "filled"
    if statuses <= {"filled", "skipped"}:
        return "filled_with_skips"
    return "done_with_exceptions"


def execution_payload(
    plan: StagedPlan, *, executed_at: datetime, account: str, notes: list[str]
) -> dict[str, Any]:
    return {
        "plan_id": plan.uid,
        "status": execution_status(plan),
        "plan_status": plan.status,
        "account": account,
        "executed_at": executed_at.isoformat(),
        "orders": [
            {
                "client_order_id": o.client_order_id,
                "broker_order_id": o.broker_order_id,
                "symbol": o.symbol,
                "side": o.side.value,
                "kind": o.kind,
                "qty": plain(o.sent_qty if o.sent_qty is not None else o.qty),
                "planned_qty": plain(o.qty),
                "status": o.status,
                "filled_qty": plain(o.filled_qty),
                "filled_avg_price": plain(o.filled_avg_price)
                if o.filled_avg_price is not None
                else None,
                "reason": o.message or o.reason,
                "est_washed": plain(o.est_washed) if o.est_washed is not None else None,
            }
            for o in plan.orders
        ],
        "notes": notes,
    }
