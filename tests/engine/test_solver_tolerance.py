"""The solver's early exits. On fractional problems an answer within ``TOLERANCE``
($0.0001) of a lower bound (the relaxation's, or each symbol's own least deviation
summed) is taken as it is; on any problem, the symbols already at target are left out
when the others at their own best fit.

On random fractional problems (budgets spent exactly, position caps, minimum trades, a
trade cap) the answer keeps every rule and its deviation is within $0.0001 of the full
search's, the search with a tolerance of zero. With any whole-share step the tolerance
is zero, so the answer is the full search's, count for count.
"""

from __future__ import annotations

from decimal import Decimal

from conftest import broken, share_problems
from hypothesis import HealthCheck, assume, given, settings

from trader.core.engine import ShareProblem, ShareTarget, deviation, solve_shares
from trader.core.engine.whole_shares import TOLERANCE, ShareSearch
from trader.core.money import QTY_STEP

D = Decimal
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def full_search(problem: ShareProblem) -> tuple[Decimal, ...]:
    steps = ShareSearch(problem, tolerance=D(0)).solve()
    return tuple(D(d) * t.step for d, t in zip(steps, problem.targets, strict=True))


@SETTINGS
@given(share_problems(fractional=True))
def test_a_fractional_answer_keeps_the_rules_within_the_tolerance_of_the_full_search(problem):
    deltas, full = solve_shares(problem), full_search(problem)
    # Some problems have no answer that keeps the rules (say a budget below what can be freed).
    assume(not broken(problem, full))
    assert broken(problem, deltas) == []
    assert deviation(problem, deltas) - deviation(problem, full) <= TOLERANCE


@SETTINGS
@given(share_problems())
def test_with_a_whole_share_step_the_answer_is_the_full_searchs(problem):
    assume(any(t.step != QTY_STEP for t in problem.targets))
    assert solve_shares(problem) == full_search(problem)


def test_targets_that_spend_the_cash_exactly_end_within_the_tolerance():
    # Equal thirds of $1,000 at prices whose nano-share steps cannot hit them exactly:
    # rounding each to its nearest step overspends, so the answer must give some up.
    prices = (D("33.33"), D("71.07"), D("19.99"))
    targets = tuple(
        ShareTarget(f"S{i}", price, D(0), D(1000) / 3, step=QTY_STEP)
        for i, price in enumerate(prices)
    )
    problem = ShareProblem(targets, budget=sum((t.target_value for t in targets), D(0)))
    deltas = solve_shares(problem)
    assert broken(problem, deltas) == []
    assert deviation(problem, deltas) <= TOLERANCE


@SETTINGS
@given(share_problems(idle=True))
def test_leaving_out_the_symbols_at_target_changes_no_answer(problem):
    # solve_shares first tries the symbols not at target alone; the full search, given
    # every symbol, must return the very same counts.
    steps = ShareSearch(problem).solve()
    direct = tuple(D(d) * t.step for d, t in zip(steps, problem.targets, strict=True))
    assert solve_shares(problem) == direct
