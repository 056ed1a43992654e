"""Choosing quantities: the share counts that come closest to the targets within the rules.

The problem (the same one ``benchmarks/plan_quality.py`` hands to an exact integer
program): for each symbol a current value ``v``, a price, a target value ``t``, a
step (one share, or ``0.000000001`` share when fractional trading is allowed) and an
upper bound on its value (the risk caps). Choose a whole number of steps ``d`` per
symbol to minimise the remaining deviation, the sum of ``|v + d * unit - t|``, subject to

- the budget: the net cost of all trades is at most the cash above the reserve;
- never selling more than is held, never ending above a cap;
- every trade at least ``min_trade`` dollars (or no trade);
- at most ``max_trades`` symbols traded;
- for cash-flow plans, no sell at all (``sells_allowed=False``: new cash is invested with
  buys alone) or no buy at all (``buys_allowed=False``: a withdrawal is raised with sells
  alone, the budget then negative: the cash the sells must bring in).

The method, in five steps (the bound and the search are in ``share_search``):

1. *Relaxation.* The budget and, under a trade cap, each trade are given a price
   (Lagrange multipliers); then every symbol picks its own best count independently.
   Bisection on the budget's price gives a lower bound on the deviation and a start
   that keeps every rule (the relaxed answer at the lowest price whose spend fits).
2. *Repair and fill.* Should the start overspend, cash is freed at the least loss per
   dollar (failing that, the answer that frees the most cash within the trade cap is
   taken); cash left over is spent where it cuts the most deviation. When every step is
   fractional, the answer is accepted here once its deviation is within ``TOLERANCE``
   ($0.0001, in the integer scale rounded down) of the bound: it is then within $0.0001
   of the optimum, and steps 3 to 5 are skipped. With any whole-share step the tolerance
   is zero, so those answers are exactly what the full search finds.
3. *Local search.* Single moves and pairs "free cash here, spend it there", including
   swapping which symbols trade under the cap, until none improves. Only symbols left
   *unsettled* by the bound take part: for the others, every count but the current one
   costs more than the gap between the answer and the bound, so no better answer moves
   them.
4. *Bounded search.* The pairs miss shifts of a share or a few in several symbols at
   once (a knapsack when the budget binds). A dynamic program over the unsettled
   symbols' counts within the gap finds the best combination: exact over those counts
   (a window around each symbol's relaxed and current count) unless its states outgrow
   a limit, when it keeps the most promising ones.
5. If that improved the answer, the local search runs again.
6. *Spending what is left.* Among the symbols the answer buys and leaves below target,
   each dollar more spent is a dollar closer to target, so a reshuffle of a few shares
   (more of one, fewer of another) that spends more of the cash left improves the answer
   by exactly that: a subset sum over the spends within the cash left, solved exactly
   (``_spend_left``). It matters most when sells are not allowed (a buy-only plan), where
   every underweight symbol competes for the budget at the same rate and the bound above
   settles little.

An answer whose deviation meets the bound is optimal. With fractional steps the same
steps run when the tolerance is not met; the local search's bulk moves (a whole range of
steps at once) do the work there, as the search's windows are only a few steps wide.
Most fractional problems that reach the relaxation end at step 2: in the backtest, those
whose targets spend the cash exactly, so that rounding each to its nearest step
overspends by nano-dollars, all do.

Arithmetic is exact: money is scaled to integers so that every value, unit, target,
the budget and the minimum trade is a whole number of the smallest unit in play (up to
24 decimal places, past which the budget and caps are rounded down and the minimum
trade up, so that the rules still hold exactly).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from math import gcd
from operator import mul

from trader.core.engine.integer_problem import IntegerProblem
from trader.core.engine.share_problem import ShareProblem
from trader.core.engine.share_search import ONE, Relaxation, polish
from trader.core.money import ZERO

MAX_PASSES = 200
# Step 6 (buy-only problems): shares each symbol may move by (at least the first, and
# the second shared out among the symbols), and the largest window of spends (in units of
# the movers' common price step, bits of one integer) its subset sum looks at.
SPEND_REACH_LEAST = 3
SPEND_MOVES = 200
SPEND_WINDOW = 8_000_000
# A fractional answer this close to the lower bound (in dollars of deviation) is taken
# without searching further.
TOLERANCE = Decimal("0.0001")


class ShareSearch:
    """The search for the best counts of one problem: its integer form (``problem``, not
    changed once built), the answer being improved (``counts``: steps to trade, per
    symbol) and the moves on it."""

    def __init__(self, problem: ShareProblem, tolerance: Decimal = TOLERANCE) -> None:
        self.problem = IntegerProblem(problem, tolerance)
        size = self.problem.size
        self.counts = [0] * size  # the answer being improved: steps to trade, per symbol
        self.closest: list[int | None] = [None] * size  # least deviation each: by alone()
        self.floor: int | None = None  # their sum, when every symbol has a legal count

    # -- the whole solution -------------------------------------------------------------------
    def spend(self) -> int:
        return sum(map(mul, self.counts, self.problem.unit))  # map: no Python frame per symbol

    def deviation(self) -> int:
        return sum(self.problem.cost(i, d) for i, d in enumerate(self.counts))

    def trades(self) -> int:
        return len(self.counts) - self.counts.count(0)

    def alone(self) -> list[int] | None:
        """Each symbol at its own closest legal count, when that fits the budget and the
        trade cap (then no answer can be closer: the common case, and the cheap one); else
        None, with ``closest`` and the counts set for :meth:`solve` to go on from."""
        # A symbol above its cap must trade; when it cannot (no legal sale) or the trade cap
        # has no room for it, it stays put and the position cap gives way.
        problem = self.problem
        lowest, highest = problem.lowest, problem.highest
        stuck = [i for i in range(problem.size) if not lowest[i] <= 0 <= highest[i]]
        must = [i for i in stuck if problem.pieces(i)]
        kept_below_cap = [i for i in stuck if i not in must[: problem.max_trades]]
        if kept_below_cap:  # cannot trade down to its cap: it may stay put, and no higher
            problem = self.problem = problem.capped_at_holding(kept_below_cap)
            highest = problem.highest
        # A symbol already at its target that may stay put is best untouched (its deviation
        # is zero, and any trade has some): most symbols of a band rebalance are.
        excess, best_in = problem.excess, problem.best_in
        alone = [
            0
            if not excess[i] and lowest[i] <= 0 <= highest[i]
            else best_in(i, lowest[i], highest[i])
            for i in range(problem.size)
        ]
        closest = [
            None if d is None else abs(o + d * u)  # cost(i, d), inline: once per symbol a solve
            for d, o, u in zip(alone, excess, problem.unit, strict=True)
        ]
        self.closest = closest
        if None in alone:
            return None
        self.floor = sum(closest)  # type: ignore[arg-type]
        self.counts = alone  # type: ignore[assignment]
        if self.spend() <= self.problem.budget and self.trades() <= self.problem.max_trades:
            return self.counts
        return None

    def solve(self) -> list[int]:
        if not self.problem.size:
            return []
        found = self.alone()
        return found if found is not None else self.search()

    def search(self) -> list[int]:
        """The answer when the symbols at their own best do not fit (after :meth:`alone`)."""
        if not self.problem.size:
            return []
        excess = self.spend() - self.problem.budget
        # Each symbol's own least deviation, summed, is a lower bound too (no answer can
        # beat every symbol at its best): a fractional answer that one covering move and
        # the fill bring within the tolerance of it needs no relaxation. Tried when the
        # best counts overspend by no more than one step of some symbol (rounding each to
        # its nearest step, as in a backtest whose targets spend the cash exactly); a
        # larger overspend goes to the relaxation, whose start fits the budget.
        if (
            self.problem.tolerance
            and not self.problem.capped
            and self.floor is not None
            and excess <= max(self.problem.unit)
            and self._cover(excess)
        ):
            self._fill()
            if self.deviation() - self.floor <= self.problem.tolerance:
                return self.counts
        relaxation = Relaxation(self.problem)
        self.counts = list(relaxation.start)
        self._repair()
        if self.spend() > self.problem.budget:
            self._cheapest()
        self._fill()
        # Within the tolerance of the bound, so of the optimum: taken as it is.
        if relaxation.gap(self.deviation()) <= self.problem.tolerance * ONE:
            return self.counts
        self._improve(relaxation)
        if polish(self, relaxation):
            self._improve(relaxation)
        if not self.problem.sells_allowed:
            self._spend_left()
        return self.counts

    def _spend_left(self) -> None:
        """Spend the cash left as exactly as whole shares allow, among the symbols the
        answer buys and leaves below target (step 6, see the module docstring).

        For those symbols each dollar more brings the value a dollar closer to its target,
        so, while each stays at or below target, the answer improves by exactly what more
        it spends: the best reshuffle of some shares each (more of one, fewer of another)
        is a subset sum, solved over the spends reachable within a window, held as the
        bits of one integer per symbol.
        """
        left = self.problem.budget - self.spend()
        if left <= 0:
            return
        movers = self._spend_movers()
        if len(movers) < 2:
            return
        step = gcd(*(self.problem.unit[i] for i, _ in movers))
        room = left // step
        # Partial sums may run this far either side of zero before later moves bring
        # them back: the largest move of any symbol.
        margin = max(self.problem.unit[i] // step * max(map(abs, moves)) for i, moves in movers)
        size = 2 * margin + room + 1
        if size > SPEND_WINDOW:
            return
        window = (1 << size) - 1
        # Bit k of a mask: a spend change of k - margin units of ``step`` is reachable.
        masks = [1 << margin]
        for i, moves in movers:
            unit = self.problem.unit[i] // step
            mask = masks[-1]
            grown = 0
            for move in moves:
                shift = move * unit
                grown |= (mask << shift) if shift >= 0 else (mask >> -shift)
            masks.append(grown & window)
        reachable = masks[-1] & ((1 << (margin + room + 1)) - 1)  # no more than the cash left
        found = reachable.bit_length() - 1
        if found - margin <= 0:
            return
        for index in range(len(movers) - 1, -1, -1):
            i, moves = movers[index]
            unit = self.problem.unit[i] // step
            before = masks[index]
            for move in moves:
                source = found - move * unit
                if 0 <= source < size and before >> source & 1:
                    self.counts[i] += move
                    found = source
                    break

    def _spend_movers(self) -> list[tuple[int, list[int]]]:
        """The symbols :meth:`_spend_left` may move, each with its moves (share changes):
        those bought and at or below target, within their rules; without a trade cap, also
        those not bought yet (none, or a first buy of at least the minimum trade)."""
        movers = []
        candidates = [
            i
            for i in range(self.problem.size)
            if (self.counts[i] > 0 or (self.counts[i] == 0 and not self.problem.capped))
            and self.problem.excess[i] + self.counts[i] * self.problem.unit[i] <= 0
        ]
        reach = max(SPEND_REACH_LEAST, SPEND_MOVES // max(1, len(candidates)))
        for i in candidates:
            d = self.counts[i]
            high = min(d + reach, self.problem.at_target[i], self.problem.highest[i])
            if d == 0:
                moves = [0, *range(max(self.problem.smallest_trade[i], 1), high + 1)]
            else:
                low = max(d - reach, self.problem.smallest_trade[i], self.problem.lowest[i])
                moves = list(range(low - d, high - d + 1))
            if len(moves) > 1:
                movers.append((i, moves))
        return movers

    def _cover(self, excess: int) -> bool:
        """Free ``excess`` with the one move that loses least closeness (none trades
        more: the problem is uncapped); False when no single move frees it."""
        best = None
        best_in, cost, unit, d, lo = (
            self.problem.best_in,
            self.problem.cost,
            self.problem.unit,
            self.counts,
            self.problem.lowest,
        )
        for i in range(self.problem.size):
            new = best_in(i, lo[i], d[i] - (-(-excess // unit[i])))
            if new is None:
                continue
            loss = cost(i, new) - cost(i, d[i])
            if best is None or loss < best[0]:
                best = (loss, i, new)
        if best is None:
            return False
        d[best[1]] = best[2]
        return True

    def _cheapest(self) -> None:
        """The answer that frees the most cash within the trade cap: the last resort when
        the repair cannot get under the budget (it moves one symbol at a time)."""
        lowest = [min(low for low, _ in self.problem.pieces(i)) for i in range(self.problem.size)]
        forced = [i for i in range(self.problem.size) if not self.problem.feasible_zero(i)]
        others = sorted(
            (
                i
                for i in range(self.problem.size)
                if self.problem.feasible_zero(i) and lowest[i] < 0
            ),
            key=lambda i: lowest[i] * self.problem.unit[i],
        )
        self.counts = [0] * self.problem.size
        for i in [*forced, *others][: self.problem.max_trades]:
            self.counts[i] = lowest[i]

    def _move_options(self, i: int, excess: int) -> list[int]:
        options = []
        one = self.problem.best_in(i, self.problem.lowest[i], self.counts[i] - 1)
        if one is not None:
            options.append(one)
        if excess > 0:
            cover = self.counts[i] - (-(-excess // self.problem.unit[i]))
            bulk = self.problem.best_in(i, self.problem.lowest[i], cover)
            if bulk is not None:
                options.append(bulk)
        return options

    def _allowed(self, i: int, new: int, trades: int) -> bool:
        return not (self.counts[i] == 0 and new != 0 and trades >= self.problem.max_trades)

    def _repair(self) -> None:
        """Free cash until the budget holds, at the least loss of closeness to target."""
        while (excess := self.spend() - self.problem.budget) > 0:
            trades = self.trades()
            covering, partial = None, None
            for i in range(self.problem.size):
                for new in self._move_options(i, excess):
                    if not self._allowed(i, new, trades):
                        continue
                    saved = (self.counts[i] - new) * self.problem.unit[i]
                    loss = self.problem.cost(i, new) - self.problem.cost(i, self.counts[i])
                    if saved >= excess:
                        if covering is None or (loss, saved) < covering[0]:
                            covering = ((loss, saved), i, new)
                    else:
                        # Judged by its loss plus the rest of the excess, which costs at
                        # most a dollar a dollar (a move never loses more than it frees).
                        projected = loss + (excess - saved)
                        if partial is None or projected < partial[0]:
                            partial = (projected, i, new)
            if covering is None and partial is None:
                return  # nothing left to free; the caller reports the shortfall
            if partial is not None and (covering is None or partial[0] < covering[0][0]):
                _, i, new = partial
            else:
                _, i, new = covering
            self.counts[i] = new

    def _best_raise(self, i: int, money: int) -> tuple[int, int] | None:
        """The best count above the current one that ``money`` pays for, and its gain."""
        if money < 0:
            return None
        new = self.problem.best_in(
            i, self.counts[i] + 1, self.counts[i] + money // self.problem.unit[i]
        )
        if new is None or new <= self.counts[i]:
            return None
        gain = self.problem.cost(i, self.counts[i]) - self.problem.cost(i, new)
        return (gain, new) if gain > 0 else None

    def _fill(self) -> None:
        # A symbol's best raise gains no more when there is less money: what it gained last
        # time bounds it while its count stays, and a symbol whose bound cannot beat the
        # best raise found so far (nor gain at all) is not asked again.
        unknown = 1 << 200  # more than any gain: asked
        bound = [unknown] * self.problem.size
        while True:
            left = self.problem.budget - self.spend()
            trades = self.trades()
            best = None
            for i in range(self.problem.size):
                if bound[i] <= (0 if best is None else best[0]):
                    continue
                found = self._best_raise(i, left)
                bound[i] = found[0] if found else 0
                if (
                    found
                    and self._allowed(i, found[1], trades)
                    and (best is None or found[0] > best[0])
                ):
                    best = (found[0], i, found[1])
            if best is None:
                return
            self.counts[best[1]] = best[2]
            bound[best[1]] = unknown  # its count changed

    def _alternatives(self, i: int) -> set[int]:
        """Other counts worth trying for symbol i: one step and the best step each way, none."""
        d = self.counts[i]
        found = {
            self.problem.best_in(i, self.problem.lowest[i], d - 1),
            self.problem.best_in(i, d - 1, d - 1),
            self.problem.best_in(i, d + 1, self.problem.highest[i]),
            self.problem.best_in(i, d + 1, d + 1),
        }
        if d and self.problem.feasible_zero(i):
            found.add(0)
        found.discard(None)
        found.discard(d)
        return found  # type: ignore[return-value]

    def _improve(self, relaxation: Relaxation) -> None:
        """Local search over single moves and pairs of moves, among the symbols the
        relaxation leaves unsettled (no other symbol can take part in a move that improves
        the answer): each sweep takes, symbol by symbol, the best move that starts there."""
        for _ in range(MAX_PASSES):
            unsettled = relaxation.unsettled(relaxation.gap(self.deviation()), self.counts)
            raisable = [j for j in unsettled if self._best_raise(j, 10**40)]
            lowerable = [j for j in unsettled if self.counts[j] > self.problem.lowest[j]]
            # The cash left, the trade count and each partner's room, kept up to date as
            # moves are taken rather than summed again for every symbol.
            left, trades = self.problem.budget - self.spend(), self.trades()
            closest = self.closest
            room = {
                j: self.problem.cost(j, self.counts[j]) - (closest[j] or 0)
                for j in {*raisable, *lowerable}
            }
            moved = False
            for i in unsettled:
                best = self._best_move(i, raisable, lowerable, left, trades, room)
                if best is not None:
                    moved = True
                    for j, new in best:
                        old = self.counts[j]
                        left -= (new - old) * self.problem.unit[j]
                        trades += (new != 0) - (old != 0)
                        self.counts[j] = new
                        if j in room:
                            room[j] = self.problem.cost(j, new) - (closest[j] or 0)
            if not moved:
                return

    def _best_move(
        self,
        i: int,
        raisable: list[int],
        lowerable: list[int],
        left: int,
        trades: int,
        room: dict[int, int],
    ) -> tuple[tuple[int, int], ...] | None:
        """The best improving move of symbol i alone or with one other symbol, if any.

        ``left`` is the cash left, ``trades`` the symbols traded and ``room`` what each
        partner j can gain at most: its deviation now less its least (``closest``). A pair
        that cannot beat the best move so far on that count is not looked at.
        """
        cap = self.problem.max_trades
        best: tuple[int, tuple[tuple[int, int], ...]] | None = None
        d_i = self.counts[i]
        unit, d, best_in = self.problem.unit, self.counts, self.problem.best_in
        for a in self._alternatives(i):
            spent = (a - d_i) * unit[i]
            loss = self.problem.cost(i, a) - self.problem.cost(i, d_i)
            count = trades + (a != 0) - (d_i != 0)
            money = left - spent
            if money >= 0 and count <= cap and loss < 0 and (best is None or -loss > best[0]):
                best = (-loss, ((i, a),))
            for j in raisable if money >= 0 else lowerable:
                if j == i or room[j] - loss <= (0 if best is None else best[0]):
                    continue
                d_j = d[j]
                if money >= 0:
                    new = best_in(j, d_j + 1, d_j + money // unit[j])
                else:
                    new = best_in(j, self.problem.lowest[j], d_j + money // unit[j])
                if new is None or new == d_j:
                    continue
                if count + (new != 0) - (d_j != 0) > cap:
                    continue
                net = -(loss + self.problem.cost(j, new) - self.problem.cost(j, d_j))
                if net > 0 and (best is None or net > best[0]):
                    best = (net, ((i, a), (j, new)))
        return None if best is None else best[1]


def at_rest(value: Decimal, target_value: Decimal, max_value: Decimal | None) -> bool:
    """At its target value and within its cap: a symbol best untouched whenever the
    others, each at its own best, fit the budget and the trade cap."""
    return target_value == value and (max_value is None or value <= max_value)


def _deltas(steps: list[int], problem: ShareProblem) -> tuple[Decimal, ...]:
    return tuple(Decimal(d) * t.step for d, t in zip(steps, problem.targets, strict=True))


def solve_moving_first(
    moving: ShareProblem, complete: Callable[[], ShareProblem]
) -> tuple[ShareProblem, tuple[Decimal, ...]]:
    """The answer of a problem given first without its symbols at rest (:func:`at_rest`).

    Those stay put in the answer with every symbol at its own best, and the others' best
    counts, their spend and their trades do not depend on them: so when the symbols of
    ``moving`` at their own best fit the budget and the trade cap, that is the answer, the
    very one :meth:`ShareSearch.solve` returns first (most of a band rebalance's symbols are at
    rest, and leaving them out spares their integer form). Only otherwise is the complete
    problem built, by ``complete``, and searched; when it has no symbol at rest it is
    ``moving`` itself, and the search goes on from where it stands. Returns the problem
    answered (``moving`` or the complete one) and its quantity changes, in its order.
    """
    search = ShareSearch(moving)
    steps = search.alone()
    if steps is not None:
        return moving, _deltas(steps, moving)
    problem = complete()
    if len(problem.targets) == len(moving.targets):
        return moving, _deltas(search.search(), moving)
    return problem, _deltas(ShareSearch(problem).solve(), problem)


def solve_shares(problem: ShareProblem) -> tuple[Decimal, ...]:
    """Quantity changes per symbol (positive buys, negative sells), in the problem's order."""
    idle = [at_rest(t.held * t.price, t.target_value, t.max_value) for t in problem.targets]
    if not any(idle):
        return _deltas(ShareSearch(problem).solve(), problem)
    moving = tuple(t for t, still in zip(problem.targets, idle, strict=True) if not still)
    answered, deltas = solve_moving_first(replace(problem, targets=moving), lambda: problem)
    if answered is problem:
        return deltas
    found = iter(deltas)
    return tuple(ZERO if still else next(found) for still in idle)
