"""The quantity solver's shortcuts give what the long way gives, on random problems.

- the integer form (scale, values, bounds) matches scaling every amount as a Decimal;
- without a trade cap, the relaxation's price found directly is the bisection's;
- without a trade cap, the relaxation over the few counts it keeps per symbol is the
  relaxation over every candidate count;
- the pair moves that skip partners unable to beat the best move found so far end in
  the same answer as trying every partner.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from conftest import share_problems
from hypothesis import HealthCheck, assume, given, settings

from trader.core.engine import ShareProblem
from trader.core.engine.share_search import ONE, Relaxation
from trader.core.engine.whole_shares import ShareSearch

D = Decimal
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decimal_form(problem: ShareProblem) -> dict:
    """The integer form by Decimal arithmetic: the most places of any amount, at most 24."""

    def places(value: Decimal) -> int:
        exponent = value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    targets = problem.targets
    amounts = [t.price * t.step for t in targets] + [t.held * t.price for t in targets]
    amounts += [problem.budget, problem.min_trade, *(t.target_value for t in targets)]
    scale = D(10) ** min(max(places(x) for x in amounts), 24)

    def whole(value: Decimal, rounding: str) -> int:
        return int((value * scale).to_integral_value(rounding))

    unit = [whole(t.price * t.step, ROUND_HALF_EVEN) for t in targets]
    value = [whole(t.held * t.price, ROUND_HALF_EVEN) for t in targets]
    highest = [
        10**30 if t.max_value is None else (whole(t.max_value, ROUND_FLOOR) - v) // u
        for t, v, u in zip(targets, value, unit, strict=True)
    ]
    return {  # per symbol, tuples: the integer form is not changed once built
        "scale": scale,
        "unit": tuple(unit),
        "value": tuple(value),
        "target": tuple(whole(t.target_value, ROUND_HALF_EVEN) for t in targets),
        "lowest": tuple(-int(t.held // t.step) for t in targets),
        "highest": tuple(highest),
        "budget": whole(problem.budget, ROUND_FLOOR),
        "min_trade": whole(problem.min_trade, ROUND_CEILING),
    }


@SETTINGS
@given(share_problems(tight=False))
def test_the_integer_form_is_the_decimal_one(problem):
    integers = ShareSearch(problem).problem
    found = {name: getattr(integers, name) for name in _decimal_form(problem)}
    assert found == _decimal_form(problem)


def _bisected_price(relaxation: Relaxation) -> int:
    """The lowest price whose relaxed spend fits, by bisection (prices 0 to 2 * ONE)."""
    low, high = 0, 2 * ONE
    while high - low > 1:
        middle = (low + high) // 2
        if relaxation._evaluate(middle).spend > relaxation.problem.budget:
            low = middle
        else:
            high = middle
    return high


@SETTINGS
@given(share_problems(capped=False))
def test_without_a_trade_cap_the_price_found_directly_is_the_bisections(problem):
    integers = ShareSearch(problem).problem
    assume(all(integers.pieces(i) for i in range(integers.size)))  # solve frees these first
    relaxation = Relaxation(integers)
    budget = integers.budget
    # Asked only when the spend at price 0 does not fit (else the price is 0); where no
    # price up to 2 fits, both give 2.
    assume(relaxation._evaluate(0).spend > budget)
    assert relaxation._fitting_price() == _bisected_price(relaxation)


class _EveryCandidate(Relaxation):
    """The relaxation over every candidate count, none left out."""

    def _options(self, i: int) -> list[tuple[int, int, int]]:
        return [
            (a, a * self.problem.unit[i], self.problem.cost(i, a) * ONE)
            for a in self._candidates(i)
        ]


@SETTINGS
@given(share_problems(capped=False))
def test_without_a_trade_cap_the_kept_counts_decide_as_all_candidates_do(problem):
    integers = ShareSearch(problem).problem
    assume(all(integers.pieces(i) for i in range(integers.size)))  # solve frees these first
    kept, every = Relaxation(integers), _EveryCandidate(integers)
    assert (kept.start, kept.price, kept.toll, kept.bound, kept.least) == (
        every.start,
        every.price,
        every.toll,
        every.bound,
        every.least,
    )
    if every._evaluate(0).spend > integers.budget >= every._evaluate(2 * ONE).spend:
        assert kept._fitting_price() == every._fitting_price()


class _EveryPartner(ShareSearch):
    """The search with the pair moves' pruning off: every partner is tried."""

    @property
    def closest(self) -> list[int]:
        return [-(10**80)] * self.problem.size

    @closest.setter
    def closest(self, value: list[int | None]) -> None:
        pass


@SETTINGS
@given(share_problems())
def test_pruned_pair_moves_give_the_answer_of_every_pair(problem):
    assert ShareSearch(problem).solve() == _EveryPartner(problem).solve()
