"""The quantity solver against brute force on small problems, its bound, and hard cases."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from conftest import broken

from trader.core.engine import ShareProblem, ShareTarget, deviation, solve_shares
from trader.core.engine.share_search import ONE, Relaxation
from trader.core.engine.whole_shares import ShareSearch
from trader.core.money import QTY_STEP

D = Decimal


def brute_force(problem: ShareProblem) -> Decimal | None:
    """The least deviation over every whole-share answer that keeps the rules."""
    ranges = []
    for t in problem.targets:
        short = max(D(0), (t.target_value - t.held * t.price) / t.price)
        lowest = -int(t.held) if problem.sells_allowed else 0
        highest = int(short) + 3 if problem.buys_allowed else 0
        ranges.append(range(lowest, highest + 1))
    best = None
    for counts in itertools.product(*ranges):
        deltas = tuple(D(c) for c in counts)
        if not broken(problem, deltas):
            value = deviation(problem, deltas)
            best = value if best is None else min(best, value)
    return best


def small_problem(rng: random.Random) -> ShareProblem:
    targets = []
    for i in range(rng.randint(1, 3)):
        price = D(rng.randint(100, 5000)) / 100
        held = D(rng.randint(0, 6))
        cap = None if rng.random() < 0.6 else D(rng.randint(0, 800))
        target = (D(rng.randint(0, 3000)) * price / 100).quantize(D("0.01"))
        targets.append(ShareTarget(f"S{i}", price, held, target, max_value=cap))
    return ShareProblem(
        tuple(targets),
        budget=D(rng.randint(-2000, 3000)) / 10,
        min_trade=D(rng.choice([0, 0, 10, 50, 100])),
        max_trades=rng.choice([None, None, 0, 1, 2]),
    )


def test_small_problems_keep_the_rules_and_come_within_a_percent_of_brute_force():
    rng = random.Random(20240603)
    exact = total = 0
    for _ in range(150):
        problem = small_problem(rng)
        best = brute_force(problem)
        if best is None:
            continue  # no answer keeps every rule
        deltas = solve_shares(problem)
        assert not broken(problem, deltas), problem
        found = deviation(problem, deltas)
        assert found <= best * D("1.01") + D("0.01"), problem
        total += 1
        exact += found == best
    assert exact >= total * 0.97


def test_the_relaxation_is_a_lower_bound():
    rng = random.Random(7)
    for _ in range(100):
        problem = small_problem(rng)
        best = brute_force(problem)
        if best is None:
            continue
        search = ShareSearch(problem)
        bound = Decimal(Relaxation(search.problem).bound) / ONE / search.problem.scale
        assert bound <= best, problem


def test_a_shift_of_one_share_in_several_symbols_when_the_budget_binds():
    # From the plan-quality benchmark: the budget covers the targets almost exactly and the
    # optimum moves a share in several symbols at once, which pair moves cannot reach.
    rows = [
        ("30.33", "326", "12206.95"),
        ("23.26", "74", "9588.78"),
        ("527.66", "38", "19866.45"),
        ("134.31", "22", "4654.22"),
        ("60.48", "242", "7705.99"),
    ]
    targets = tuple(
        ShareTarget(f"S{i}", D(price), D(held), D(value))
        for i, (price, held, value) in enumerate(rows)
    )
    problem = ShareProblem(targets, budget=D("4771.51"), min_trade=D(100))
    deltas = solve_shares(problem)
    assert not broken(problem, deltas)
    assert deviation(problem, deltas) == D("370.88")  # the integer program's optimum


def test_a_short_budget_under_a_trade_cap_picks_the_sale_that_covers_it():
    # 101.80 must be raised in one trade: only all of S2 (119.52) does it.
    targets = (
        ShareTarget("S0", D("33.33"), D(3), D("993.57")),
        ShareTarget("S1", D("21.20"), D(3), D("12.08")),
        ShareTarget("S2", D("39.84"), D(3), D("574.09"), max_value=D(607)),
    )
    problem = ShareProblem(targets, budget=D("-101.8"), max_trades=1)
    assert solve_shares(problem) == (D(0), D(0), D(-3))


def test_a_position_over_its_cap_is_sold_down_even_when_the_targets_say_buy():
    targets = (
        ShareTarget("S0", D("24.66"), D(1), D("690.23")),
        ShareTarget("S1", D("28.88"), D(2), D("305.55"), max_value=D(49)),
        ShareTarget("S2", D("3.15"), D(4), D("9.54")),
    )
    problem = ShareProblem(targets, budget=D(272), max_trades=2)
    deltas = solve_shares(problem)
    assert not broken(problem, deltas)
    assert deltas[1] == D(-1)


def test_an_over_cap_position_that_cannot_be_sold_legally_is_left_alone():
    # Worth 50 against a cap of 20, but any sale is under the 100 minimum.
    targets = (
        ShareTarget("S0", D(25), D(2), D(50), max_value=D(20)),
        ShareTarget("S1", D(10), D(0), D(500)),
    )
    problem = ShareProblem(targets, budget=D(500), min_trade=D(100))
    assert solve_shares(problem) == (D(0), D(50))


@pytest.mark.parametrize(("cap", "left"), [(None, D(0)), (2, D("321.98"))])
def test_fractional_steps_reach_the_targets_when_cash_allows(cap, left):
    # Without a cap every target is met; with two trades S2 (the smallest gap) waits.
    targets = (
        ShareTarget("S0", D("123.45"), D("3.5"), D(1000), step=QTY_STEP),
        ShareTarget("S1", D("67.89"), D(10), D(200), step=QTY_STEP),
        ShareTarget("S2", D("10"), D(0), D("321.98"), step=QTY_STEP),
    )
    problem = ShareProblem(targets, budget=D(500), min_trade=D(1), max_trades=cap)
    deltas = solve_shares(problem)
    assert not broken(problem, deltas)
    assert abs(deviation(problem, deltas) - left) < D("0.01")


def test_no_symbols_and_a_zero_trade_cap():
    assert solve_shares(ShareProblem((), budget=D(100))) == ()
    targets = (ShareTarget("S0", D(10), D(5), D(500)),)
    assert solve_shares(ShareProblem(targets, budget=D(1000), max_trades=0)) == (D(0),)


def test_settled_symbols_alone_never_make_an_answer_that_overspends():
    # Every symbol is settled by the bound here, and those counts together spend one
    # share more than the cash: the search must not take them.
    targets = (
        ShareTarget("S00", D(1), D(0), D("47.08")),
        ShareTarget("S10", D(1), D(0), D("117.64")),
        ShareTarget("S20", D(1), D(0), D("117.64")),
        ShareTarget("S30", D(1), D(400), D("117.64")),
    )
    problem = ShareProblem(targets, budget=D(0))
    deltas = solve_shares(problem)
    assert not broken(problem, deltas)
    assert deviation(problem, deltas) == D("1.44")


@pytest.mark.parametrize("side", ["buys only", "sells only"])
def test_one_way_problems_never_trade_the_other_way_and_match_brute_force(side):
    # A buy-only problem (new cash, no sell) and a sell-only one (a withdrawal: the budget
    # is what the sells must bring in, so negative) against every answer that keeps the rules.
    rng = random.Random(20260601)
    exact = total = 0
    for _ in range(120):
        problem = small_problem(rng)
        if side == "buys only":
            problem = ShareProblem(
                problem.targets,
                abs(problem.budget),
                problem.min_trade,
                problem.max_trades,
                sells_allowed=False,
            )
        else:
            problem = ShareProblem(
                problem.targets,
                -abs(problem.budget),
                problem.min_trade,
                problem.max_trades,
                buys_allowed=False,
            )
        best = brute_force(problem)
        if best is None:
            continue
        deltas = solve_shares(problem)
        assert not broken(problem, deltas), problem
        found = deviation(problem, deltas)
        assert found >= best
        total += 1
        exact += found == best
    assert total > 30  # the others have no answer that keeps every rule
    assert exact == total
