"""A symbol a trailing stop sold waits ``stop_reentry_days`` before it is bought again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from trader.core.engine import plan_rebalance
from trader.core.policy import Holding, Policy, Portfolio

D = Decimal
POLICY = Policy(
    target_allocation={"gold": D(50), "bonds": D(50)},
    categories={"gold": ("GLD", "IAU"), "bonds": ("BND",)},
    max_single_position=D(100),
    min_trade_dollars=D(10),
)
TODAY = date(2026, 11, 24)


def portfolio(**changes) -> Portfolio:
    base = Portfolio(
        cash=D(5000),
        holdings=(
            Holding("GLD", D(0), D(200)),
            Holding("IAU", D(0), D(40)),
            Holding("BND", D(70), D(70), D(70)),
        ),
        today=TODAY,
        stopped={"GLD": date(2026, 11, 10)},
    )
    return replace(base, **changes)


def bought(plan) -> set[str]:
    return {o.symbol for o in plan.buys}


def test_the_category_buys_its_other_symbol_while_it_waits():
    plan = plan_rebalance(POLICY, portfolio())
    assert bought(plan) == {"IAU"}
    assert any(
        w.startswith(
            "GLD: sold by its trailing stop on 2026-11-10: not bought again before 2026-12-10"
        )
        and w.endswith("'gold' buys IAU instead")
        for w in plan.warnings
    ), plan.warnings


def test_with_no_other_symbol_the_category_keeps_the_cash():
    policy = replace(POLICY, categories={"gold": ("GLD",), "bonds": ("BND",)})
    held = portfolio(holdings=(Holding("GLD", D(0), D(200)), Holding("BND", D(70), D(70), D(70))))
    plan = plan_rebalance(policy, held)
    assert "GLD" not in bought(plan)
    assert any(w.endswith("'gold' keeps its share in cash until then") for w in plan.warnings)
    assert any(s.symbol == "GLD" and "not bought again" in s.reason for s in plan.skipped)


def test_after_the_wait_or_with_no_wait_it_is_bought_again():
    later = plan_rebalance(POLICY, portfolio(today=date(2026, 12, 10)))
    assert "GLD" in bought(later)
    off = plan_rebalance(replace(POLICY, stop_reentry_days=0), portfolio())
    assert "GLD" in bought(off)
