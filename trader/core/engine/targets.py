"""From the allocation table to a target value for every symbol the plan may trade.

The steps, each a rule of the policy:

1. **Goals per category.** An out-of-band category goes back to its target, or to
   its band's edge with ``rebalance_to: band_edge`` (one cent inside the edge, so that
   rounding a quantity never leaves it just outside). A category in band keeps its
   value. Under the ``calendar`` method every category goes back to target.
2. **Funding.** Sells fund buys and the cash reserve is never spent. When the cash
   above the reserve (and above the cash category's goal, when cash is a category)
   does not cover the buys, categories that are over target but inside their band
   sell toward target to fund them; if that is not enough the buys are cut, levelling
   their remaining shortfalls (the largest shortfall is cut last). When cash is a
   category and ends above its goal, the surplus buys categories under target.
3. **Symbols.** A category's sells come first from the holding whose sale realizes
   the least gain (or the most loss) per dollar, by its tax lots, else the largest; a
   sale that would wash a loss (the symbol was bought within 30 days) comes last;
   its buys go to its highest-scored symbol at or above the score threshold when scores
   exist, else to its primary (the first symbol with a price) — skipping symbols a
   wash-sale window or a trailing stop keeps out of this plan.
4. **Caps.** No symbol above ``max_single_position``; leveraged funds together at most
   ``max_leveraged_total`` and, when set, ``max_leveraged_exposure`` (weight times
   multiple). An over-cap position is trimmed even when its category is in band. The
   caps are also returned as upper bounds, so rounding to whole shares cannot break them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from trader.core.engine.allocation import Action, Allocation
from trader.core.lots import realize
from trader.core.money import CENT, ZERO
from trader.core.policy import (
    CASH_CATEGORY,
    HUNDRED,
    Policy,
    Portfolio,
    RebalanceMethod,
    RebalanceTo,
)
from trader.core.statuses import OrderKind


@dataclass(frozen=True, slots=True)
class SymbolTargets:
    """What step 1-4 decided: per symbol its target value, cap and why it trades.

    ``symbol_targets`` fills it in as it decides; afterwards it changes only through the
    methods below, each of which returns a new one.
    """

    target_value: dict[str, Decimal] = field(default_factory=dict)
    upper_bound: dict[str, Decimal] = field(default_factory=dict)
    reason: dict[str, str] = field(default_factory=dict)
    category: dict[str, str] = field(default_factory=dict)
    unbuyable: dict[str, str] = field(default_factory=dict)  # category -> why nothing was bought
    kind: dict[str, OrderKind] = field(default_factory=dict)  # when not a rebalance
    warnings: list[str] = field(default_factory=list)

    def _copy(self) -> SymbolTargets:
        return SymbolTargets(
            dict(self.target_value),
            dict(self.upper_bound),
            dict(self.reason),
            dict(self.category),
            dict(self.unbuyable),
            dict(self.kind),
            list(self.warnings),
        )

    def holding_still(self, portfolio: Portfolio, but: set[str]) -> SymbolTargets:
        """Every symbol but those of ``but`` kept at its value (its cap raised to it if
        need be): nothing is due, only those trade."""
        kept = self._copy()
        for symbol in self.target_value:
            if symbol in but:
                continue
            holding = portfolio.holding(symbol)
            value = holding.value if holding is not None else ZERO
            kept.target_value[symbol] = value
            kept.reason.pop(symbol, None)
            bound = kept.upper_bound.get(symbol)
            if bound is not None and bound < value:
                kept.upper_bound[symbol] = value
        return kept

    def selling_out(self, symbol: str, category: str, reason: str) -> SymbolTargets:
        """``symbol`` sold whole: its trailing stop fired."""
        sold = self._copy()
        sold.target_value[symbol] = ZERO
        sold.reason[symbol] = reason
        sold.kind[symbol] = OrderKind.TRAILING_STOP
        sold.category[symbol] = category
        return sold


def _pct(value: Decimal) -> str:
    return f"{value.quantize(CENT)}%"


def category_goals(policy: Policy, allocation: Allocation) -> tuple[dict[str, Decimal], set[str]]:
    """Step 1: the value each category should end at, and which categories were out of band."""
    goals: dict[str, Decimal] = {}
    out: set[str] = set()
    edge_mode = policy.rebalance_to is RebalanceTo.BAND_EDGE
    everything = policy.method is RebalanceMethod.CALENDAR
    hold = Action.HOLD
    for row in allocation.rows:
        out_of_band = row.action is not hold  # row.out_of_band, read once
        if out_of_band:
            out.add(row.category)
        if everything:
            goals[row.category] = row.target_value
        elif out_of_band and edge_mode:
            half = allocation.investable * row.band_pct / HUNDRED - CENT
            half = max(half, ZERO)
            sign = 1 if row.action is Action.SELL else -1
            goals[row.category] = row.target_value + sign * half
        elif out_of_band:
            goals[row.category] = row.target_value
        else:
            goals[row.category] = row.current_value
    return goals, out


def _level_cuts(buys: dict[str, Decimal], deficits: dict[str, Decimal], cut: Decimal) -> None:
    """Cut ``cut`` dollars from ``buys`` so the largest remaining shortfall is as small as can be.

    Each buy becomes clip(deficit - level, 0, buy); the level is found exactly.
    """
    total = sum(buys.values(), ZERO)
    wanted = max(total - cut, ZERO)
    if wanted == ZERO:
        for name in buys:
            buys[name] = ZERO
        return

    def bought(level: Decimal) -> Decimal:
        return sum((min(max(deficits[n] - level, ZERO), buys[n]) for n in buys), ZERO)

    points = sorted({deficits[n] - buys[n] for n in buys} | {deficits[n] for n in buys})
    low = points[0]
    for high in points[1:]:
        if bought(high) <= wanted:
            break
        low = high
    else:
        high = points[-1]
    # bought() is linear between two neighbouring breakpoints.
    at_low, at_high = bought(low), bought(high)
    level = (
        high if at_low == at_high else low + (at_low - wanted) * (high - low) / (at_low - at_high)
    )
    for name in buys:
        buys[name] = min(max(deficits[name] - level, ZERO), buys[name])


def fund(
    policy: Policy, portfolio: Portfolio, allocation: Allocation, goals: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Step 2: adjust the goals so the buys are paid for without touching the reserve."""
    goals = dict(goals)
    rows = {row.category: row for row in allocation.rows if row.category != CASH_CATEGORY}
    hard_spare = portfolio.cash - policy.cash_reserve
    cash_goal = goals.get(CASH_CATEGORY, ZERO)
    soft_spare = hard_spare - cash_goal if CASH_CATEGORY in goals else hard_spare
    need = sum((goals[c] - rows[c].current_value for c in rows), ZERO)
    gap = need - soft_spare
    if gap > ZERO:
        # In-band categories over target sell toward it, the most over-weight first.
        over = sorted(
            (c for c in rows if goals[c] > rows[c].target_value),
            key=lambda c: (-(goals[c] - rows[c].target_value), c),
        )
        for category in over:
            if gap <= ZERO:
                break
            amount = min(goals[category] - rows[category].target_value, gap)
            goals[category] -= amount
            gap -= amount
        need = sum((goals[c] - rows[c].current_value for c in rows), ZERO)
        short = need - hard_spare
        if short > ZERO:
            buys = {c: goals[c] - rows[c].current_value for c in rows}
            buys = {c: b for c, b in buys.items() if b > ZERO}
            deficits = {c: rows[c].target_value - rows[c].current_value for c in buys}
            _level_cuts(buys, deficits, short)
            for category, amount in buys.items():
                goals[category] = rows[category].current_value + amount
    elif gap < ZERO and CASH_CATEGORY in goals:
        surplus = -gap
        under = sorted(
            (c for c in rows if goals[c] < rows[c].target_value),
            key=lambda c: (goals[c] - rows[c].target_value, c),
        )
        for category in under:
            if surplus <= ZERO:
                break
            amount = min(rows[category].target_value - goals[category], surplus)
            goals[category] += amount
            surplus -= amount
    return goals


def buy_symbol(
    policy: Policy, portfolio: Portfolio, category: str, blocked: frozenset[str] = frozenset()
) -> str | None:
    """Step 3: the best-scored symbol at or above the threshold, else the primary with a price."""
    priced = [
        s
        for s in policy.categories.get(category, ())
        if portfolio.holding(s) is not None and s not in blocked
    ]
    scored = [s for s in priced if s in portfolio.scores]
    threshold = policy.prefer_etfs_with_score_above
    eligible = [s for s in scored if threshold is None or portfolio.scores[s] >= threshold]
    if eligible:
        return max(eligible, key=lambda s: (portfolio.scores[s], -priced.index(s)))
    return priced[0] if priced else None


def cannot_buy(
    policy: Policy,
    portfolio: Portfolio,
    category: str,
    blocked: Mapping[str, str],
    halted: Mapping[str, str],
) -> str | None:
    """Why nothing of ``category`` may be bought in this plan; None when a symbol may be."""
    if category in halted:
        return halted[category]
    if buy_symbol(policy, portfolio, category, frozenset(blocked)) is not None:
        return None
    reasons = [f"{s}: {blocked[s]}" for s in policy.categories[category] if s in blocked]
    if reasons:
        return f"no symbol of '{category}' may be bought in this plan ({'; '.join(reasons)})"
    return no_price(policy, portfolio, category)


def no_price(policy: Policy, portfolio: Portfolio, category: str) -> str:
    """Why no symbol of ``category`` has a price: each one's reason when it is known."""
    known = [
        portfolio.unavailable[s] for s in policy.categories[category] if s in portfolio.unavailable
    ]
    if known:
        return f"nothing of '{category}' can be bought: {'; '.join(known)}"
    return f"no price for any symbol of '{category}'"


def symbol_targets(
    policy: Policy,
    portfolio: Portfolio,
    allocation: Allocation,
    goals: dict[str, Decimal],
    out_of_band: set[str],
    blocked: Mapping[str, str] | None = None,
    halted: Mapping[str, str] | None = None,
    reasons: Mapping[str, str] | None = None,
    *,
    trim_over_cap: bool = True,
) -> SymbolTargets:
    """Steps 3 and 4: a target value per categorised symbol, with caps and reasons.

    ``blocked`` maps symbols that may not be bought in this plan to why; ``halted``
    maps categories not to be bought at all in this plan to why. ``reasons`` gives the
    reason of a category's trades when it is not the rebalance's (a cash-flow plan).
    ``trim_over_cap=False`` (a cash-flow plan, which never sells to rebalance): the caps
    only cut buys; a position above a cap is not sold down to it.
    """
    blocked = blocked or {}
    halted = halted or {}
    reasons = reasons or {}
    unbuyable = frozenset(blocked)
    result = SymbolTargets()
    owners = policy.owners
    target_value, category_of = result.target_value, result.category
    for holding in portfolio.holdings:
        symbol = holding.symbol
        category = owners.get(symbol)
        if category is not None:
            target_value[symbol] = holding.qty * holding.price  # holding.value
            category_of[symbol] = category
    positions = portfolio.positions
    # Whether any category is raised: an in-band sale then funds buys, else it raises cash.
    buys = any(
        goals[row.category] > row.current_value
        for row in allocation.rows
        if row.category != CASH_CATEGORY
    )
    for row in allocation.rows:
        category = row.category
        if category == CASH_CATEGORY:
            continue
        change = goals[category] - row.current_value
        if change < ZERO:
            why = reasons.get(category) or _category_reason(
                row, category in out_of_band, policy, buys=buys
            )
            # The category's holdings with shares (the sort's key orders them fully).
            held = [
                positions[s]
                for s in policy.categories[category]
                if s in positions and positions[s].qty > ZERO
            ]
            if len(held) > 1:
                held.sort(key=lambda h: _sell_preference(portfolio, h, -change))
            remaining = -change
            for holding in held:
                if remaining <= ZERO:
                    break
                amount = min(holding.value, remaining)
                result.target_value[holding.symbol] -= amount
                result.reason[holding.symbol] = why
                remaining -= amount
        elif change > ZERO:
            if category in halted:
                result.unbuyable[category] = halted[category]
                continue
            symbol = buy_symbol(policy, portfolio, category, unbuyable)
            if symbol is None:
                why_not = cannot_buy(policy, portfolio, category, blocked, halted)
                assert why_not is not None
                result.unbuyable[category] = why_not
                continue
            result.target_value[symbol] += change
            why = reasons.get(category) or _category_reason(
                row, category in out_of_band, policy, buys=True
            )
            result.reason[symbol] = why + _score_note(policy, portfolio, category, symbol)
    asked = (dict(result.target_value), dict(result.reason)) if not trim_over_cap else None
    _apply_caps(policy, portfolio, allocation, result)
    if asked is not None:
        _untrim(portfolio, result, *asked)
    return result


def _untrim(
    portfolio: Portfolio,
    result: SymbolTargets,
    asked: Mapping[str, Decimal],
    reasons: Mapping[str, str],
) -> None:
    """Let the caps cut buys only: no target below what the goals asked or the value held,
    whichever is lower, and no bound below the value held."""
    positions = portfolio.positions
    for symbol, before in asked.items():
        held = positions[symbol].value if symbol in positions else ZERO
        floor = min(before, held)
        if result.target_value[symbol] < floor:
            result.target_value[symbol] = floor
            if symbol in reasons:
                result.reason[symbol] = reasons[symbol]
            else:
                result.reason.pop(symbol, None)
        bound = result.upper_bound.get(symbol)
        if bound is not None and bound < held:
            result.upper_bound[symbol] = held


def _score_note(policy: Policy, portfolio: Portfolio, category: str, symbol: str) -> str:
    """What the scores said about the buy choice, when there are scores."""
    if not portfolio.scores or len(policy.categories.get(category, ())) < 2:
        return ""
    score = portfolio.scores.get(symbol)
    threshold = policy.prefer_etfs_with_score_above
    if score is not None and (threshold is None or score >= threshold):
        return f"; buys {symbol}, Score: {score}/100"
    return f"; buys the primary {symbol}: no symbol of '{category}' scored at or above {threshold}"


def _sell_preference(portfolio: Portfolio, holding, amount: Decimal) -> tuple:
    """Sort key: a sale that would wash a loss last (the loss would be disallowed), then the
    least realized gain per dollar sold (by lots: losses first), then the largest."""
    lots = portfolio.lots.get(holding.symbol)
    if lots and portfolio.today is not None and holding.price > ZERO:
        qty = min(holding.qty, amount / holding.price)
        if qty > ZERO:
            found = realize(lots, qty, holding.price, portfolio.today)
            washes = found.washed > ZERO
            return (washes, found.total / (qty * holding.price), -holding.value, holding.symbol)
    return (False, ZERO, -holding.value, holding.symbol)


def _category_reason(row, out_of_band: bool, policy: Policy, *, buys: bool) -> str:
    where = f"{row.category} at {_pct(row.current_pct)} against its {_pct(row.target_pct)} target"
    if policy.method is RebalanceMethod.CALENDAR:
        return f"{where}: calendar rebalance back to target"
    if out_of_band:
        side = "above" if row.drift_pct > ZERO else "below"
        goal = "its band's edge" if policy.rebalance_to is RebalanceTo.BAND_EDGE else "target"
        return (
            f"{where} is {_pct(abs(row.drift_pct))[:-1]} points {side} target, outside its "
            f"{_pct(row.band_pct)[:-1]}-point band: back to {goal}"
        )
    if row.drift_pct > ZERO:
        if buys:
            return f"{where} (in band) sells toward target to fund the buys"
        return f"{where} (in band) sells toward target to raise the cash the plan needs"
    return f"{where} (in band) buys toward target with cash above its goal"


def _apply_caps(
    policy: Policy, portfolio: Portfolio, allocation: Allocation, result: SymbolTargets
) -> None:
    investable = allocation.investable
    single = investable * policy.max_single_position / HUNDRED
    for symbol, target in result.target_value.items():
        result.upper_bound[symbol] = single
        if target > single:
            result.target_value[symbol] = single
            result.reason[symbol] = (
                f"{symbol} would be {_pct(target / investable * HUNDRED)} of the investable "
                f"value: trimmed to the max_single_position cap of "
                f"{_pct(policy.max_single_position)}"
            )
    leveraged = [s for s in result.target_value if s in policy.leverage]
    if not leveraged:
        return
    fixed = [
        h for h in portfolio.holdings if h.symbol in policy.leverage and h.symbol not in leveraged
    ]
    caps = [
        (
            investable * policy.max_leveraged_total / HUNDRED,
            {s: Decimal(1) for s in policy.leverage},
            "max_leveraged_total",
            policy.max_leveraged_total,
        )
    ]
    if policy.max_leveraged_exposure is not None:
        caps.append(
            (
                investable * policy.max_leveraged_exposure / HUNDRED,
                dict(policy.leverage),
                "max_leveraged_exposure",
                policy.max_leveraged_exposure,
            )
        )
    for limit, weight, name, pct in caps:
        room = limit - sum((h.value * weight[h.symbol] for h in fixed), ZERO)
        total = sum((result.target_value[s] * weight[s] for s in leveraged), ZERO)
        if total > room:
            factor = max(room, ZERO) / total
            for symbol in leveraged:
                before = result.target_value[symbol]
                result.target_value[symbol] = before * factor
                if result.target_value[symbol] < before:
                    result.reason[symbol] = (
                        f"leveraged funds would be {_pct(total / investable * HUNDRED)} of the "
                        f"investable value{' in exposure' if name.endswith('exposure') else ''}: "
                        f"cut to the {name} cap of {_pct(pct)}"
                    )
            total = max(room, ZERO)
        slack = max(room - total, ZERO) / len(leveraged)
        for symbol in leveraged:
            bound = result.target_value[symbol] + slack / weight[symbol]
            result.upper_bound[symbol] = min(result.upper_bound[symbol], bound)
    for holding in fixed:
        result.warnings.append(
            f"{holding.symbol} is leveraged but in no category: it counts toward the leveraged "
            f"caps and is not traded"
        )
