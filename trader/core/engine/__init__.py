"""The rebalancing engine: pure functions from a policy and a portfolio to a plan.

``plan_rebalance(policy, portfolio, cash_flow=...) -> Plan`` is the one entry point;
``apply_plan(portfolio, plan)`` fills a plan at its estimated prices. The modules, in
the order a plan is made: ``allocation`` (table, bands, due), ``cash_flow`` (deposits,
withdrawals, and the one-way plans: buys only or sells only), ``targets`` (goals,
funding, symbols, caps), ``whole_shares`` (quantities), ``planner`` (orders and
refusals), ``plan`` (the value and its hash).
"""

from trader.core.engine.allocation import Action, Allocation, AllocationRow, measure
from trader.core.engine.cash_flow import NO_CASH_FLOW, CashFlow, CashFlowOutcome, PlanKind
from trader.core.engine.plan import Plan, PlannedOrder, SkippedOrder, apply_plan, input_hash
from trader.core.engine.planner import plan_rebalance
from trader.core.engine.share_problem import ShareProblem, ShareTarget, deviation
from trader.core.engine.whole_shares import solve_shares

__all__ = [
    "NO_CASH_FLOW",
    "Action",
    "Allocation",
    "AllocationRow",
    "CashFlow",
    "CashFlowOutcome",
    "Plan",
    "PlanKind",
    "PlannedOrder",
    "ShareProblem",
    "ShareTarget",
    "SkippedOrder",
    "apply_plan",
    "deviation",
    "input_hash",
    "measure",
    "plan_rebalance",
    "solve_shares",
]
