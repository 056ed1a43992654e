"""The solver's early exit on fractional problems: an answer within ``TOLERANCE`` ($0.0001)
of the lower bound is taken as it is.

On random fractional problems (budgets spent exactly, position caps, minimum trades, a
trade cap) the answer keeps every rule and its deviation is within $0.0001 of the full
search's, the search with a tolerance of zero. With any whole-share step the tolerance
is zero, so the answer is the full search's, count for count.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trader.core.engine import ShareProblem, ShareTarget, deviation, solve_shares
from trader.core.engine.whole_shares import TOLERANCE, _Search
from trader.core.money import QTY_STEP

D = Decimal
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, *, fractional: bool = True):
    count = draw(st.integers(1, 15))
    targets = []
    for index in range(count):
        price = D(draw(st.integers(100, 60_000))) / 100
        step = QTY_STEP if fractional or draw(st.booleans()) else D(1)
        if step == QTY_STEP:
            held = D(draw(st.integers(0, 10**12))) * QTY_STEP
        else:
            held = D(draw(st.integers(0, 400)))
        goal = D(draw(st.integers(0, 5_000_000))) / 100
        if draw(st.integers(0, 3)) == 0:
            goal = D(draw(st.integers(0, 10**9))) / 7  # more places than the scale keeps
        cap = None if draw(st.booleans()) else D(draw(st.integers(0, 100_000)))
        targets.append(ShareTarget(f"S{index}", price, held, goal, step=step, max_value=cap))
    if draw(st.booleans()):  # the targets spend the cash exactly, as in a backtest
        budget = sum((t.target_value - t.held * t.price for t in targets), D(0))
    else:
        budget = D(draw(st.integers(-5_000, 50_000))) / 10
    return ShareProblem(
        tuple(targets),
        budget=budget,
        min_trade=D(draw(st.sampled_from([0, 0, 1, 10, 100]))),
        max_trades=draw(st.none() | st.integers(1, count)),
    )


def broken(problem: ShareProblem, deltas: tuple[Decimal, ...]) -> list[str]:
    """The rules an answer breaks, in exact decimals."""
    found = []
    spend = sum((d * t.price for d, t in zip(deltas, problem.targets, strict=True)), D(0))
    if spend > problem.budget:
        found.append("budget")
    if problem.max_trades is not None and sum(1 for d in deltas if d) > problem.max_trades:
        found.append("trade cap")
    for t, d in zip(problem.targets, deltas, strict=True):
        if d % t.step:
            found.append(f"{t.symbol} step")
        if t.held + d < 0:
            found.append(f"{t.symbol} sells more than held")
        if d and abs(d) * t.price < problem.min_trade:
            found.append(f"{t.symbol} minimum trade")
        if t.max_value is not None and (t.held + d) * t.price > t.max_value:
            found.append(f"{t.symbol} position cap")
    return found


def full_search(problem: ShareProblem) -> tuple[Decimal, ...]:
    steps = _Search(problem, tolerance=D(0)).solve()
    return tuple(D(d) * t.step for d, t in zip(steps, problem.targets, strict=True))


@SETTINGS
@given(problems())
def test_a_fractional_answer_keeps_the_rules_within_the_tolerance_of_the_full_search(problem):
    deltas, full = solve_shares(problem), full_search(problem)
    if broken(problem, full):
        return  # no answer keeps the rules (say a budget below what can be freed)
    assert broken(problem, deltas) == []
    assert deviation(problem, deltas) - deviation(problem, full) <= TOLERANCE


@SETTINGS
@given(problems(fractional=False))
def test_with_a_whole_share_step_the_answer_is_the_full_searchs(problem):
    if all(t.step == QTY_STEP for t in problem.targets):
        return
    assert solve_shares(problem) == full_search(problem)


def test_targets_that_spend_the_cash_exactly_end_within_the_tolerance():
    # Equal thirds of $1,000 at prices whose nano-share steps cannot hit them exactly:
    # rounding each to its nearest step overspends, so the relaxation is needed.
    prices = (D("33.33"), D("71.07"), D("19.99"))
    targets = tuple(
        ShareTarget(f"S{i}", price, D(0), D(1000) / 3, step=QTY_STEP)
        for i, price in enumerate(prices)
    )
    problem = ShareProblem(targets, budget=sum((t.target_value for t in targets), D(0)))
    deltas = solve_shares(problem)
    assert broken(problem, deltas) == []
    assert deviation(problem, deltas) <= TOLERANCE
