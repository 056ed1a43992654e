"""The integer form of a quantity problem: what the fast solver searches over.

Money is scaled to integers (see ``whole_shares``) so that every value, unit, target,
the budget and the minimum trade is a whole number of the smallest unit in play. An
``IntegerProblem`` is built once per problem and not changed after: the search
(``whole_shares.ShareSearch``) keeps its answer apart, and a problem whose caps must
give way is a new problem (:meth:`IntegerProblem.capped_at_holding`). ``cost`` is the
one deviation formula; the other methods answer per symbol which counts are legal.
"""

from __future__ import annotations

import copy
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from math import lcm
from operator import attrgetter

from trader.core.engine.share_problem import WHOLE, ShareProblem
from trader.core.money import ZERO

NO_CAP = 10**30  # the highest count of a symbol with no position cap


def _places(denominator: int) -> int:
    """Decimal places a fraction with this (power of 2 and 5) denominator needs."""
    twos = (denominator & -denominator).bit_length() - 1
    fives, rest = 0, denominator >> twos
    while rest > 1:
        rest //= 5
        fives += 1
    return max(twos, fives)


def _scaled(values: list[Decimal], digits: int, rounding: str) -> list[int]:
    """``values`` times 10**digits as integers: exact when they have at most ``digits``
    places, else rounded as Decimal would round them."""
    factor, scale = 10**digits, Decimal(10) ** digits
    found = []
    for value in values:
        numerator, denominator = value.as_integer_ratio()
        whole, rest = divmod(numerator * factor, denominator)
        if rest and rounding != ROUND_FLOOR:
            if rounding == ROUND_CEILING:
                whole += 1
            else:
                whole = int((value * scale).to_integral_value(rounding))
        found.append(whole)
    return found


class IntegerProblem:
    """Per symbol (tuples, by index): ``unit`` (a step's value), ``value`` and ``target``,
    ``excess`` (value less target), ``lowest`` and ``highest`` legal counts,
    ``smallest_trade`` (in steps) and ``at_target`` (the count just at or below target);
    for all: ``budget``, ``min_trade``, ``max_trades`` (``capped`` when it binds),
    ``tolerance``, ``scale`` and ``size``."""

    def __init__(self, problem: ShareProblem, tolerance: Decimal) -> None:
        targets = problem.targets
        n = self.size = len(targets)
        values = [t.held * t.price for t in targets]
        exact = [t.price * t.step for t in targets]
        exact += values
        exact += [t.target_value for t in targets]
        exact += [problem.budget, problem.min_trade]
        # A finite Decimal is p / (2**a * 5**b) in lowest terms and needs max(a, b) places;
        # the least common multiple of the denominators needs the most of them all.
        ratios = [x.as_integer_ratio() for x in exact[: 2 * n]]
        # Most symbols of a plan keep their value: their target's ratio is their value's.
        ratios += [
            ratio if t.target_value == value else t.target_value.as_integer_ratio()
            for t, value, ratio in zip(targets, values, ratios[n:], strict=True)
        ]
        ratios += [problem.budget.as_integer_ratio(), problem.min_trade.as_integer_ratio()]
        denominators = {q for _, q in ratios}  # a few distinct ones among 3n + 2
        digits = min(_places(lcm(*denominators)), 24)
        self.scale = Decimal(10) ** digits
        exact_scale = digits < 24 or all(10**24 % q == 0 for q in denominators)
        if exact_scale:
            factor = 10**digits
            times = {q: factor // q for q in denominators}  # q divides 10**digits
            integers = [p * times[q] for p, q in ratios]
            budget, min_trade = integers[-2], integers[-1]
        else:
            integers = _scaled(exact[:-2], digits, ROUND_HALF_EVEN)
            budget = _scaled([problem.budget], digits, ROUND_FLOOR)[0]
            min_trade = _scaled([problem.min_trade], digits, ROUND_CEILING)[0]
        self.unit, self.value = integers[:n], integers[n : 2 * n]
        self.target = integers[2 * n : 3 * n]
        if exact_scale:  # held / step is exactly value / unit
            self.lowest = [-(v // u) for v, u in zip(self.value, self.unit, strict=True)]
        else:
            self.lowest = [-int(t.held // t.step) for t in targets]
        self.highest = []
        # The caps are often one value for all, often the very same object (a Decimal's
        # hash is not cached: the object is checked first).
        ceilings: dict[Decimal, int] = {}
        last: Decimal | None = None
        ceiling = 0
        for t, value, unit in zip(targets, self.value, self.unit, strict=True):
            cap_value = t.max_value
            if cap_value is None:
                self.highest.append(NO_CAP)
                continue
            if cap_value is not last:
                found = ceilings.get(cap_value)
                if found is None:
                    found = ceilings[cap_value] = _scaled([cap_value], digits, ROUND_FLOOR)[0]
                last, ceiling = cap_value, found
            self.highest.append((ceiling - value) // unit)
        # A cash-flow plan trades one way only: no count below the holding (no sell), or
        # none above it (no buy). A symbol above its cap with no sell allowed is handled
        # like any other that cannot trade down to its cap (see ``alone``).
        self.sells_allowed = problem.sells_allowed
        if not problem.sells_allowed:
            self.lowest = [0] * n
        if not problem.buys_allowed:
            self.highest = [min(high, 0) for high in self.highest]
        self.budget = budget
        self.min_trade = min_trade
        # Rounded down, so that an answer taken early is within ``tolerance`` of the
        # optimum. Only when every step is fractional: with whole shares in play the
        # search runs in full, and their counts stay exactly what it finds.
        fractional = max(map(attrgetter("step"), targets), default=ZERO) < WHOLE
        self.tolerance = _scaled([tolerance], digits, ROUND_FLOOR)[0] if fractional else 0
        cap = problem.max_trades
        self.capped = cap is not None and cap < self.size
        self.max_trades = cap if cap is not None and cap < self.size else self.size
        # Per symbol: value less target, the smallest legal trade in steps, and the count
        # just at or below target.
        self.excess = [v - g for v, g in zip(self.value, self.target, strict=True)]
        if self.min_trade:
            self.smallest_trade = [max(1, -(-self.min_trade // u)) for u in self.unit]
        else:
            self.smallest_trade = [1] * self.size
        self.at_target = [-o // u if o else 0 for o, u in zip(self.excess, self.unit, strict=True)]
        self._pieces: list[list[tuple[int, int]] | None] = [None] * self.size  # as asked
        # Not changed once built: tuples.
        self.unit, self.value, self.target = tuple(self.unit), tuple(self.value), tuple(self.target)
        self.lowest, self.highest = tuple(self.lowest), tuple(self.highest)
        self.excess = tuple(self.excess)
        self.smallest_trade, self.at_target = tuple(self.smallest_trade), tuple(self.at_target)

    # -- one symbol ---------------------------------------------------------------------------
    def cost(self, i: int, steps: int) -> int:
        """The deviation of symbol ``i`` after trading ``steps``: |value after - target|."""
        return abs(self.excess[i] + steps * self.unit[i])

    def best_in(self, i: int, low: int, high: int) -> int | None:
        """The legal count in [low, high] closest to target (ties: the smaller trade)."""
        lowest, highest = self.lowest[i], self.highest[i]
        start = low if low > lowest else lowest
        end = high if high < highest else highest
        unit, excess, smallest, ideal = (
            self.unit[i],
            self.excess[i],
            self.smallest_trade[i],
            self.at_target[i],
        )
        sales = (start, end if end < -smallest else -smallest)
        buys = (start if start > smallest else smallest, end)
        best = None
        best_cost = best_size = 0
        # Sales, then buys, then no trade; a later count wins only if strictly closer, or
        # as close with a smaller trade.
        for first, last in (sales, buys):
            if first > last:
                continue
            for steps in (ideal, ideal + 1):
                if steps < first:
                    steps = first
                elif steps > last:
                    steps = last
                cost = excess + steps * unit  # cost(i, steps), inline: the most called line
                if cost < 0:
                    cost = -cost
                size = steps if steps >= 0 else -steps
                if best is None or cost < best_cost or (cost == best_cost and size < best_size):
                    best, best_cost, best_size = steps, cost, size
        if low <= 0 <= high and lowest <= 0 <= highest:
            cost = excess if excess >= 0 else -excess
            if best is None or cost < best_cost or (cost == best_cost and best_size > 0):
                best = 0
        return best

    def pieces(self, i: int) -> list[tuple[int, int]]:
        """The ranges of legal counts: none at all, all sales, all buys (worked out the
        first time they are asked for)."""
        found = self._pieces[i]
        if found is not None:
            return found
        lowest, highest, smallest = self.lowest[i], self.highest[i], self.smallest_trade[i]
        found = [(0, 0)] if lowest <= 0 <= highest else []
        if lowest <= min(-smallest, highest):
            found.append((lowest, min(-smallest, highest)))
        if max(smallest, lowest) <= highest:
            found.append((max(smallest, lowest), highest))
        self._pieces[i] = found
        return found

    def ideal(self, i: int) -> int:
        """The count just at or below target (unbounded)."""
        return self.at_target[i]

    def feasible_zero(self, i: int) -> bool:
        """Whether symbol ``i`` may stay as it is."""
        return self.lowest[i] <= 0 <= self.highest[i]

    def capped_at_holding(self, symbols: list[int]) -> IntegerProblem:
        """This problem with ``symbols`` allowed no count above zero (a symbol above its
        position cap that cannot trade down to it stays put instead)."""
        changed = copy.copy(self)
        highest = list(self.highest)
        for i in symbols:
            highest[i] = 0
        changed.highest = tuple(highest)
        changed._pieces = [None if i in symbols else found for i, found in enumerate(self._pieces)]
        return changed
