"""The lower bound and the bounded search behind ``whole_shares``.

``Relaxation`` is the Lagrangian relaxation of the quantity problem. The budget is
priced at ``price`` dollars of deviation per dollar spent (0 to 2, in steps of
``1 / ONE``) and, under a trade cap, each trade at ``toll``. With both fixed the symbols
separate: each takes the count with the least *reduced cost* (deviation + price * spend
+ toll if it trades). That count is one of three per side of the minimum-trade gap (the
lowest, and the two either side of target), because deviation plus a linear term is
convex in the count on each side. The price is found by bisection (the relaxed spend
falls as the price rises); for each price the toll is the benefit of the best trade
left out by the cap. The relaxed value, less ``price * budget + toll * cap``, is a lower
bound on the deviation of every answer that keeps the rules.

The bound prunes. An answer's deviation is exactly the bound plus its *slacks* (each
symbol's reduced cost above that symbol's least) plus ``price * unspent cash + toll *
unused trades``. So an answer better than one of deviation ``U`` has, in every symbol,
a count with slack under the gap ``U - bound``: a symbol with a single such count is
settled. ``unsettled`` lists the rest; the local search in ``whole_shares`` moves only
those. ``polish`` searches their combinations: a dynamic program over the unsettled
symbols whose choices are the counts under the gap (up to ``REACH`` either side of the
least and of the current count), keeping only states (spend, trades, deviation) that no
other state matches or beats on all three, and dropping those whose slack plus the
cost of the cash and trades they must leave unused reaches the gap. It is exact over
those choices unless the states outgrow the limit, when it keeps the most promising
(a beam). When the gap is zero the answer is proven optimal.

Every quantity is an integer: money in the problem's smallest unit, reduced costs in
``1 / ONE`` of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from trader.core.engine.integer_problem import IntegerProblem
    from trader.core.engine.whole_shares import ShareSearch

ONE = 1 << 16  # the price's resolution: 1 / 65536 of a dollar per dollar
STATE_LIMIT = 64  # the polish's states kept per symbol at least ...
STATE_WORK = 20000  # ... or as many as this many state-moves allow in all
REACH = 24  # counts either side tried per symbol, fewer when many are unsettled
_BY_SPEND = itemgetter(1, 3, 2)


class _Point(NamedTuple):
    """The relaxed optimum at one price: its bound, toll, spend and counts."""

    price: int
    bound: int
    toll: int
    spend: int
    counts: list[int]


class Relaxation:
    """The Lagrangian bound of a problem, its multipliers and the slack of any count.

    ``start`` is the relaxed answer at the lowest price found whose spend fits the
    budget (it keeps the trade cap and every per-symbol rule). The reduced cost of count
    ``a`` of symbol ``i`` is ``cost(i, a) * ONE + price * a * unit[i]``, plus the toll when
    ``a`` trades under a cap; its slack is that less ``least[i]``, the least over the
    symbol's options (``_explore`` writes both out).
    """

    def __init__(self, problem: IntegerProblem) -> None:
        self.problem = problem
        self.options = [self._options(i) for i in range(problem.size)]
        best = self._evaluate(0)
        self.start = best.counts
        if best.spend > problem.budget:
            low, high = best, self._evaluate(2 * ONE)
            if high.spend <= problem.budget and not problem.capped:
                # The bisection below would end just here (the spend falls as the price
                # rises): found directly.
                price = self._fitting_price()
                if price - 1 > low.price:
                    low = self._evaluate(price - 1)
                if price < high.price:
                    high = self._evaluate(price)
            elif high.spend <= problem.budget:
                while high.price - low.price > 1:
                    middle = self._evaluate((low.price + high.price) // 2)
                    if middle.spend > problem.budget:
                        low = middle
                    else:
                        high = middle
            best = max(low, high, key=lambda point: point.bound)
            self.start = high.counts
        self.price, self.toll, self.bound = best.price, best.toll, best.bound
        # ``reduced`` of every option, from the option's own spend and deviation.
        price, toll = self.price, self.toll if problem.capped else 0
        self.least = least = []
        for opts in self.options:
            low = None
            for a, w, c in opts:
                r = c + price * w + (toll if a else 0)
                if low is None or r < low:
                    low = r
            least.append(low)

    def _options(self, i: int) -> list[tuple[int, int, int]]:
        """(count, spend, deviation * ONE) of the counts of symbol i that can have the least
        reduced cost for some price from 0 to 2."""
        problem = self.problem
        counts = self._candidates(i)
        ideal = problem.ideal(i)
        if not problem.capped and len(counts) > 2:
            # Without a toll the reduced cost is one line over the counts up to target
            # (slope price - 1 a unit) and another above it (slope price + 1): only the ends
            # of the first and the start of the second can be the first least (or the
            # least) at any price, so the counts between never decide anything.
            below = [a for a in counts if a <= ideal]
            above = [a for a in counts if a > ideal]
            counts = [*below[:1], *below[1:][-1:], *above[:1]]
        unit, off = problem.unit[i], problem.excess[i]
        options = []
        for a in counts:  # problem.cost written out
            w = a * unit
            c = off + w
            options.append((a, w, (c if c >= 0 else -c) * ONE))
        return options

    def _candidates(self, i: int) -> list[int]:
        """The counts that can have the least reduced cost on each piece, for any price from
        0 to 2: its lowest count and the counts just below and above target."""
        ideal = self.problem.ideal(i)
        found = set()
        for low, high in self.problem.pieces(i):
            found.update((low, min(max(ideal, low), high), min(max(ideal + 1, low), high)))
        return sorted(found)

    def _fitting_price(self) -> int:
        """Without a trade cap, the lowest price (up to ``2 * ONE``) whose relaxed spend fits
        the budget.

        Each symbol takes the first option of least reduced cost ``c + price * w``, and the
        options go by count, so by spend. As the price rises a symbol only ever moves to an
        earlier option (a later one, spending more, falls further behind), and it leaves
        option j at the first price where an earlier option k costs no more: the ceiling of
        ``(c_k - c_j) / (w_j - w_k)``. Adding up those moves gives the spend at every price.
        """
        top = 2 * ONE
        spend = 0
        changes: dict[int, int] = {}
        for opts in self.options:
            price, j = 0, _first_least(opts, 0)
            spend += opts[j][1]
            while j:
                _, w_j, c_j = opts[j]
                # the least ceiling over the earlier options, written out
                most = None
                for _, w_k, c_k in opts[:j]:
                    step = (c_j - c_k) // (w_j - w_k)
                    if most is None or step > most:
                        most = step
                assert most is not None
                price = -most
                if price > top:
                    break
                k = _first_least(opts, price)
                changes[price] = changes.get(price, 0) + opts[k][1] - w_j
                j = k
        for price in sorted(changes):
            spend += changes[price]
            if spend <= self.problem.budget:
                return price
        return top

    def _evaluate(self, price: int) -> _Point:
        """The relaxed optimum at ``price``; under a cap, the toll that best fits it."""
        problem = self.problem
        counts = [0] * problem.size
        spend = total = 0
        if not problem.capped:  # every symbol at its first least count (the loop below, no toll)
            for i, opts in enumerate(self.options):
                least = None
                for a, w, c in opts:
                    r = c + price * w
                    if least is None or r < least:
                        least, spent, count = r, w, a
                total += least
                spend += spent
                counts[i] = count
            return _Point(price, total - price * problem.budget, 0, spend, counts)
        movers: list[tuple[int, int, int, int]] = []
        must = 0
        for i, opts in enumerate(self.options):
            stay = best = None
            for a, w, c in opts:
                r = c + price * w
                if a == 0 and problem.capped:
                    stay = r
                elif best is None or r < best[0]:
                    best = (r, w, a)
            if stay is None:  # no cap (0 competes as any count), or the symbol must trade
                assert best is not None
                total, spend, counts[i] = total + best[0], spend + best[1], best[2]
                must += problem.capped
            elif best is None or best[0] >= stay:
                total += stay
            else:  # trades if the cap leaves it room: the toll decides
                total += stay
                movers.append((stay - best[0], i, best[1], best[2]))
        toll = 0
        if problem.capped:
            movers.sort(reverse=True)
            slots = max(0, problem.max_trades - must)
            toll = movers[slots][0] if len(movers) > slots else 0
            del movers[slots:]
            total += toll * must - toll * problem.max_trades
        for benefit, i, w, a in movers:
            total -= benefit - toll
            spend += w
            counts[i] = a
        return _Point(price, total - price * problem.budget, toll, spend, counts)

    def gap(self, deviation: int) -> int:
        """How much slack an answer better than ``deviation`` can have in all."""
        return deviation * ONE - self.bound

    def _explore(self, i: int, gap: int, reach: int, current: int) -> Iterator[tuple[int, int]]:
        """(count, slack) of the counts with slack under ``gap``, as found: on each piece
        the interval of them (slack is convex there) cut at ``reach`` counts either side of
        the least reduced cost and of the ``current`` count."""
        problem = self.problem
        off, unit, ideal, d = (
            problem.excess[i],
            problem.unit[i],
            problem.ideal(i),
            current,
        )
        slope, base = self.price * unit, self.least[i]
        toll = self.toll if problem.capped else 0

        # The slack of a count, written out in each loop below (the search's hot spot):
        # |off + a * unit| * ONE + slope * a + (toll if a else 0) - base.
        found: set[int] = set()
        for low, high in problem.pieces(i):
            least = least_slack = None
            for a in (low, min(max(ideal, low), high), min(max(ideal + 1, low), high)):
                value = off + a * unit
                value = (value if value >= 0 else -value) * ONE + slope * a + (toll if a else 0)
                if least_slack is None or value < least_slack:
                    least, least_slack = a, value
            assert least is not None
            for middle in (least, d) if low <= d <= high and d != least else (least,):
                # Down from the middle, then up from just above it, each until the slack
                # reaches the gap or the reach ends.
                for a, stop, step in (
                    (middle, max(low, middle - reach), -1),
                    (middle + 1, min(high, middle + reach), 1),
                ):
                    while (a >= stop if step < 0 else a <= stop) and a not in found:
                        value = off + a * unit
                        value = (
                            (value if value >= 0 else -value) * ONE
                            + slope * a
                            + (toll if a else 0)
                            - base
                        )
                        if value >= gap:
                            break
                        found.add(a)
                        yield a, value
                        a += step

    def counts_under(self, i: int, gap: int, reach: int, current: int) -> list[tuple[int, int]]:
        """(slack, count) of the counts with slack under ``gap`` (see ``_explore``), sorted."""
        return sorted((slack, a) for a, slack in self._explore(i, gap, reach, current))

    def unsettled(self, gap: int, counts: list[int]) -> list[int]:
        """Symbols with a count other than the current one (``counts``) under ``gap`` of slack."""
        return [
            i
            for i in range(self.problem.size)
            if any(a != counts[i] for a, _ in self._explore(i, gap, 1, counts[i]))
        ]


def _first_least(options: list[tuple[int, int, int]], price: int) -> int:
    """The index of the first option of least ``c + price * w``."""
    best, found = None, 0
    for index, (_, w, c) in enumerate(options):
        reduced = c + price * w
        if best is None or reduced < best:
            best, found = reduced, index
    return found


def polish(search: ShareSearch, relaxation: Relaxation) -> bool:
    """Replace ``search.counts`` by the best answer of the bounded search if it is better; say so."""
    problem = search.problem
    incumbent = sum(problem.cost(i, a) for i, a in enumerate(search.counts))
    gap = relaxation.gap(incumbent)
    if gap <= 0:
        return False
    counts = [relaxation.counts_under(i, gap, 1, search.counts[i]) for i in range(problem.size)]
    loose = [i for i in range(problem.size) if len(counts[i]) > 1]
    reach = min(REACH, max(3, 2 * REACH // max(1, len(loose))))
    for i in loose:
        counts[i] = relaxation.counts_under(i, gap, reach, search.counts[i])
    base_slack = base_spend = base_trades = base_cost = 0
    chosen = list(search.counts)
    free: list[tuple[int, list[tuple[int, int, int, int, int]]]] = []
    for i, found in enumerate(counts):
        if not found:
            return False
        moves = [
            (slack, a, a * problem.unit[i], problem.cost(i, a), 1 if a else 0) for slack, a in found
        ]
        if len(moves) == 1:
            slack, a, w, c, t = moves[0]
            chosen[i] = a
            base_slack, base_spend, base_cost, base_trades = (
                base_slack + slack,
                base_spend + w,
                base_cost + c,
                base_trades + t,
            )
        else:
            free.append((i, moves))
    free.sort(key=lambda item: -problem.unit[item[0]])
    size = len(free) + 1
    rest_spend, rest_most, rest_trades, rest_traded = [0] * size, [0] * size, [0] * size, [0] * size
    for k in range(len(free) - 1, -1, -1):
        moves = free[k][1]
        rest_spend[k] = rest_spend[k + 1] + min(m[2] for m in moves)
        rest_most[k] = rest_most[k + 1] + max(m[2] for m in moves)
        rest_trades[k] = rest_trades[k + 1] + min(m[4] for m in moves)
        rest_traded[k] = rest_traded[k + 1] + max(m[4] for m in moves)
    cap = problem.max_trades if problem.capped else len(search.counts)
    budget, price, toll = problem.budget, relaxation.price, relaxation.toll
    limit = max(STATE_LIMIT, STATE_WORK // max(1, sum(len(moves) for _, moves in free)))
    states: list[tuple[int, int, int, int, tuple | None]] = [
        (base_slack, base_spend, base_trades, base_cost, None)
    ]
    for k, (_, moves) in enumerate(free):
        room, trade_room = budget - rest_spend[k + 1], cap - rest_trades[k + 1]
        # Cash that stays unspent whatever comes next costs ``price`` a unit on top, and an
        # unused trade ``toll``.
        unspent, unused = budget - rest_most[k + 1], cap - rest_traded[k + 1]
        grown = []
        for slack, spend, trades, cost, path in states:
            for m_slack, a, w, c, t in moves:
                total = slack + m_slack
                if total >= gap:
                    break
                spent, traded = spend + w, trades + t
                if spent > room or traded > trade_room:
                    continue
                # max(0, ...) written out: this is the innermost loop of the search
                idle = unspent - spent
                idle = price * idle if idle > 0 else 0
                if unused > traded:
                    idle += toll * (unused - traded)
                if total + idle >= gap:
                    continue
                grown.append((total, spent, traded, cost + c, (a, path)))
        states = _undominated(grown)
        if len(states) > limit:
            states.sort(
                key=lambda state: (
                    state[0] + price * max(0, unspent - state[1]) + toll * max(0, unused - state[2])
                )
            )
            del states[limit:]
        if not states:
            return False
    states = [state for state in states if state[1] <= budget and state[2] <= cap]
    best = min(states, key=lambda state: state[3], default=None)
    if best is None or best[3] >= incumbent:
        return False
    path = best[4]
    for i, _ in reversed(free):
        assert path is not None
        chosen[i], path = path
    search.counts[:] = chosen
    return True


def _undominated(states: list) -> list:
    """The states no other state matches or beats in spend, trades and deviation at once."""
    states.sort(key=_BY_SPEND)
    kept = []
    front: list[tuple[int, int]] = []  # (trades, deviation) of the kept states, no pair beaten
    for state in states:
        trades, cost = state[2], state[3]
        for t, c in front:
            if t <= trades and c <= cost:
                break
        else:
            front = [(t, c) for t, c in front if t < trades or c < cost]
            front.append((trades, cost))
            kept.append(state)
    return kept
