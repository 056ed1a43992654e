"""The ``plan`` use case: read the account, plan within every rule, stage, report.

``trader plan``, ``trader run``, ``trader demo`` and ``trader bot``'s /plan plan
through it; the work itself is :func:`trader.planning.service.plan_account`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trader.app.wiring import Wiring
    from trader.core.engine import CashFlow
    from trader.planning.service import PlanOutcome


def run_plan(
    context: Wiring,
    *,
    sync: bool = True,
    live: bool = False,
    command: str = "plan",
    cash_flow: CashFlow | None = None,
    buy_only: bool = False,
    cancel_withdrawal: bool = False,
    report: bool = False,
) -> PlanOutcome:
    """Plan the account; ``report`` writes the JSON report of a plan with no orders too."""
    from trader.core.engine import NO_CASH_FLOW
    from trader.planning.service import plan_account

    settings = context.settings  # config errors stop here, before any broker is touched
    store = context.open_store()
    try:
        try:
            return plan_account(
                settings,
                context.home,
                store,
                sync=sync,
                live=live,
                command=command,
                cash_flow=cash_flow or NO_CASH_FLOW,
                buy_only=buy_only,
                cancel_withdrawal=cancel_withdrawal,
                report=report,
            )
        except Exception as exc:
            store.log_event(command, "command", "error", {"error": str(exc)})
            raise
    finally:
        store.close()
