"""The quantity problem, solved the plain way: the executable spec of ``solve_shares``.

``solve_shares`` (in ``whole_shares``) is fast: a relaxation, a local search and a
bounded dynamic program over integers. This module says, as plainly as it can, what
answer it must find, and finds it by trying every candidate. It is exact and slow (the
candidates multiply: it is for problems of a few symbols with a few shares each, as in
the tests that hold the fast solver to it).

The problem: for each symbol, a number of steps ``d`` to trade (a step is one share, or
a sliver of one when fractional trading is allowed), so that the remaining deviation

    sum over symbols of |(held + d * step) * price - target value|

is the least possible, while keeping every rule (:func:`breaks`).

Which counts can be best, per symbol (so that trying those is trying everything that
matters): anything from selling all it holds (or none, when sells are not allowed) up to
buying the fewest steps that reach its target, or the fewest that make a trade of
``min_trade``, whichever is more (none, when buys are not allowed). Buying beyond that
moves the symbol away from its target and costs cash, so it never helps; selling below
target can (it frees cash for a whole share elsewhere), so every sale is tried.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import product
from typing import TYPE_CHECKING

from trader.core.money import ZERO

if TYPE_CHECKING:
    from trader.core.engine.share_problem import ShareProblem, ShareTarget


def value_after(target: ShareTarget, steps: int) -> Decimal:
    return (target.held + steps * target.step) * target.price


def deviation_of(problem: ShareProblem, counts: tuple[int, ...]) -> Decimal:
    """How far the answer leaves the symbols from their target values, in dollars."""
    return sum(
        (
            abs(value_after(t, d) - t.target_value)
            for t, d in zip(problem.targets, counts, strict=True)
        ),
        ZERO,
    )


def spend_of(problem: ShareProblem, counts: tuple[int, ...]) -> Decimal:
    """The net cost of the trades: buys less sells."""
    return sum((d * t.step * t.price for t, d in zip(problem.targets, counts, strict=True)), ZERO)


def breaks(problem: ShareProblem, counts: tuple[int, ...]) -> list[str]:
    """The rules an answer breaks (none: it keeps them all)."""
    broken = []
    if spend_of(problem, counts) > problem.budget:
        broken.append("the budget")
    trades = sum(1 for d in counts if d)
    if problem.max_trades is not None and trades > problem.max_trades:
        broken.append("the trade cap")
    for t, d in zip(problem.targets, counts, strict=True):
        if value_after(t, d) < ZERO:
            broken.append(f"{t.symbol}: sells more than held")
        if d and abs(d) * t.step * t.price < problem.min_trade:
            broken.append(f"{t.symbol}: a trade under the minimum")
        if t.max_value is not None and value_after(t, d) > t.max_value:
            broken.append(f"{t.symbol}: above its cap")
        if d < 0 and not problem.sells_allowed:
            broken.append(f"{t.symbol}: a sale where sells are not allowed")
        if d > 0 and not problem.buys_allowed:
            broken.append(f"{t.symbol}: a buy where buys are not allowed")
    return broken


def candidates(problem: ShareProblem, target: ShareTarget) -> range:
    """Every count of steps that can be part of a best answer (see the module's text)."""
    unit = target.step * target.price
    lowest = -int((target.held / target.step).to_integral_value(ROUND_FLOOR))
    short = max(target.target_value - target.held * target.price, ZERO)
    to_target = int((short / unit).to_integral_value(ROUND_CEILING))
    to_minimum = int((problem.min_trade / unit).to_integral_value(ROUND_CEILING))
    highest = max(to_target, to_minimum)
    return range(
        lowest if problem.sells_allowed else 0, (highest if problem.buys_allowed else 0) + 1
    )


def answers(problem: ShareProblem) -> Iterator[tuple[int, ...]]:
    """Every combination of candidate counts that keeps the rules."""
    for counts in product(*(candidates(problem, t) for t in problem.targets)):
        if not breaks(problem, counts):
            yield counts


def reference_solve(problem: ShareProblem) -> tuple[Decimal, ...] | None:
    """The quantity changes with the least deviation that keep every rule (fewest trades,
    then least cash spent, among equals); None when no answer keeps them all (doing
    nothing included)."""
    best: tuple[tuple[Decimal, int, Decimal], tuple[int, ...]] | None = None
    for counts in answers(problem):
        rank = (
            deviation_of(problem, counts),
            sum(1 for d in counts if d),
            spend_of(problem, counts),
        )
        if best is None or rank < best[0]:
            best = (rank, counts)
    if best is None:
        return None
    return tuple(d * t.step for t, d in zip(problem.targets, best[1], strict=True))
