"""``plan_rebalance``: the one entry point of the engine.

It measures the allocation, decides whether a rebalance is due, turns the policy's
rules into a target value per symbol (``targets``), chooses quantities that come
closest to those targets within the cash reserve, the minimum trade, the trade cap,
the risk caps and whole shares (``whole_shares``), and writes the result down as a
:class:`~trader.core.engine.plan.Plan` with a reason for every order and every order
it decided against. It raises only when its inputs are inconsistent with each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from trader.core.domain import Side
from trader.core.engine.allocation import (
    Allocation,
    AllocationRow,
    after_trades,
    is_due,
    measure,
)
from trader.core.engine.cash_flow import (
    NO_CASH_FLOW,
    CashFlow,
    CashFlowOutcome,
    PlanKind,
    cash_above_reserve,
    cash_to_invest,
    cash_to_raise,
    invest_reason,
    invest_shares,
    not_enough,
    one_way_kind,
    plan_kind,
    raise_reason,
    raise_shares,
)
from trader.core.engine.plan import Plan, PlannedOrder, SkippedOrder, TaxEstimate, input_hash
from trader.core.engine.share_problem import WHOLE, ShareProblem, ShareTarget
from trader.core.engine.stop_reentry import reentry_reason, reentry_waits, reentry_warnings
from trader.core.engine.targets import (
    SymbolTargets,
    category_goals,
    fund,
    no_price,
    symbol_targets,
)
from trader.core.engine.tax_moves import (
    StopSell,
    harvests,
    realization,
    trailing_stops,
    unconfirmed_stops,
)
from trader.core.engine.whole_shares import at_rest, solve_moving_first
from trader.core.money import CENT, QTY_STEP, ZERO, cents, dollars, plain
from trader.core.policy import CASH_CATEGORY, HUNDRED, CashFlowMode, Policy, Portfolio
from trader.core.statuses import OrderKind


def plan_rebalance(
    policy: Policy,
    portfolio: Portfolio,
    *,
    with_hash: bool = True,
    cash_flow: CashFlow = NO_CASH_FLOW,
) -> Plan:
    """Decide the orders that bring the portfolio back within its policy.

    ``cash_flow`` is a deposit not yet arrived (counted as cash) or a withdrawal to raise
    (kept in cash beside the reserve); the policy's ``cash_flow`` mode decides whether
    the plan is the full rebalance or a one-way plan (``engine.cash_flow``).
    ``with_hash=False`` skips the input hash (left empty), for callers that never stage
    the plan, such as the backtest, which asks thousands of times.
    """
    flowed_policy, flowed = cash_flow.applied(policy, portfolio)
    allocation = measure(flowed_policy, flowed)
    warnings = _input_warnings(policy, portfolio, allocation)
    investable = allocation.investable > ZERO
    due = investable and is_due(flowed_policy, flowed, allocation)
    stops = trailing_stops(flowed_policy, flowed) if investable else []
    if investable:
        warnings.extend(unconfirmed_stops(flowed_policy, flowed))
    blocked = _blocked_buys(policy, flowed, stops)
    warnings.extend(reentry_warnings(policy, flowed, blocked))
    halted = _halted_categories(policy, stops)
    kind, why = (
        plan_kind(policy, cash_flow, due=due, stops=[stop.symbol for stop in stops])
        if investable
        else (PlanKind.NONE, "")
    )
    chosen: _Orders | None = None
    if kind is None:  # prefer: the one-way plan if it is enough, else the full rebalance
        one_way = one_way_kind(cash_flow)
        trial = _one_way_orders(
            flowed_policy, flowed, allocation, one_way, blocked, halted, cash_flow.withdrawal
        )
        after = _after(allocation, trial.orders)
        if any(row.out_of_band for row in after):
            kind, why = PlanKind.FULL, not_enough(one_way, after)
        else:
            kind, chosen = one_way, trial
            why = (
                "the buys alone bring every category within its band"
                if one_way is PlanKind.BUY_ONLY
                else "the withdrawal's sells alone leave every category within its band"
            )
    if chosen is None and kind in (PlanKind.FULL, PlanKind.NONE):
        chosen = _rebalance_orders(
            flowed_policy, flowed, allocation, kind is PlanKind.FULL, stops, blocked, halted
        )
    elif chosen is None:
        chosen = _one_way_orders(
            flowed_policy, flowed, allocation, kind, blocked, halted, cash_flow.withdrawal
        )
    orders, skipped = chosen.orders, list(chosen.skipped)
    warnings.extend(chosen.warnings)
    notes = list(chosen.notes)
    buy_only_mode = policy.cash_flow is CashFlowMode.BUY_ONLY
    if buy_only_mode:
        warnings.extend(_unsold_stops(stops))
    if investable and policy.tax_loss_harvesting:
        if buy_only_mode:
            notes.append("cash_flow buy_only: no tax-loss harvest (a harvest sells)")
        else:
            orders, more = _add_harvests(flowed_policy, flowed, orders, set(blocked))
            skipped.extend(more)
    if kind is PlanKind.FULL and orders:
        notes.extend(_invest_notes(flowed_policy, flowed, allocation, orders, full=True))
    if portfolio.lots:  # else no sell has lots to estimate its gain from
        orders = tuple(_with_lots(flowed, order) for order in orders)
    cash_after = flowed.cash
    for order in orders:
        cash_after += order.est_value if order.side is Side.SELL else -order.est_value
    if orders and cash_after < flowed_policy.cash_reserve:
        kept = (
            f"the reserve of {dollars(policy.cash_reserve)} plus the withdrawal of "
            f"{dollars(cash_flow.withdrawal)}"
            if cash_flow.withdrawal
            else f"the reserve of {dollars(policy.cash_reserve)}"
        )
        warnings.append(
            f"cash after the plan ({dollars(cash_after)}) is below {kept}: there was not "
            f"enough to sell"
        )
    outcome = CashFlowOutcome(
        mode=policy.cash_flow,
        kind=kind,
        deposit=cash_flow.deposit,
        withdrawal=cash_flow.withdrawal,
        reason=why,
        notes=tuple(notes),
        set_aside=cash_flow.set_aside,
    )
    return Plan(
        method=policy.method,
        due=kind is not PlanKind.NONE and chosen.due,
        equity=portfolio.equity,
        investable=allocation.investable,
        cash=portfolio.cash,
        cash_after=cash_after,
        allocation=allocation.rows,
        orders=orders,
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        input_hash=input_hash(flowed_policy, flowed) if with_hash else "",
        tax=tax_estimate(policy, orders),
        cash_flow=outcome,
    )


@dataclass(frozen=True, slots=True)
class _Orders:
    """What one way of planning decided, before harvests and lots."""

    orders: tuple[PlannedOrder, ...]
    skipped: tuple[SkippedOrder, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    due: bool = True


def _rebalance_orders(
    policy: Policy,
    portfolio: Portfolio,
    allocation: Allocation,
    due: bool,
    stops: list[StopSell],
    blocked: dict[str, str],
    halted: dict[str, str],
) -> _Orders:
    """The rebalance the method decides (``due``), or, when none is, the trailing stops."""
    warnings: list[str] = []
    orders: tuple[PlannedOrder, ...] = ()
    skipped: list[SkippedOrder] = []
    if due or stops:
        goals, out_of_band = category_goals(policy, allocation)
        if not due:  # only the stops trade: every category keeps its value
            goals = {row.category: row.current_value for row in allocation.rows}
            out_of_band = set()
        goals = fund(policy, portfolio, allocation, goals)
        targets = symbol_targets(policy, portfolio, allocation, goals, out_of_band, blocked, halted)
        if not due:  # only the stops trade: nothing else moves, caps are warned about
            targets = targets.holding_still(portfolio, but={stop.symbol for stop in stops})
            warnings.extend(_cap_warnings(policy, portfolio, allocation))
        for stop in stops:
            category = policy.category_of(stop.symbol)
            if category is None:
                continue
            targets = targets.selling_out(stop.symbol, category, stop.reason)
            warnings.append(
                f"{stop.symbol} hit its trailing stop: '{category}' is not bought back in this "
                f"plan, so it may end below its target until you decide"
            )
        warnings.extend(targets.warnings)
        orders, skipped = _choose_orders(policy, portfolio, targets)
    else:
        warnings.extend(_cap_warnings(policy, portfolio, allocation))
    return _Orders(orders, tuple(skipped), tuple(warnings), due=due)


def _one_way_orders(
    policy: Policy,
    portfolio: Portfolio,
    allocation: Allocation,
    kind: PlanKind,
    blocked: dict[str, str],
    halted: dict[str, str],
    withdrawal: Decimal,
) -> _Orders:
    """A buy-only plan (the cash above the reserve) or a sell-only one (a withdrawal)."""
    rows = {row.category: row for row in allocation.rows}
    skipped: list[SkippedOrder] = []
    notes: list[str] = []
    goals = {row.category: row.current_value for row in allocation.rows}
    if kind is PlanKind.BUY_ONLY:
        investment = invest_shares(policy, portfolio, allocation, blocked, halted)
        for category, amount in investment.shares.items():
            goals[category] += amount
        reasons = {
            c: invest_reason(rows[c], investment.past_target.get(c, ZERO), allocation.investable)
            for c in investment.shares
        }
        for category, why in investment.left_out.items():
            skipped.append(SkippedOrder(policy.categories[category][0], category, Side.BUY, why))
        work = cash_to_invest(policy, portfolio, allocation)
    else:
        shares = raise_shares(policy, portfolio, allocation)
        for category, amount in shares.items():
            goals[category] -= amount
        reasons = {c: raise_reason(rows[c], withdrawal) for c in shares}
        work = cash_to_raise(policy, portfolio)
    targets = symbol_targets(
        policy, portfolio, allocation, goals, set(), blocked, halted, reasons, trim_over_cap=False
    )
    buying = kind is PlanKind.BUY_ONLY
    orders, more = _choose_orders(
        policy, portfolio, targets, sells_allowed=not buying, buys_allowed=buying
    )
    skipped.extend(more)
    if buying:
        notes.extend(_invest_notes(policy, portfolio, allocation, orders))
    else:
        notes.extend(_raise_notes(policy, portfolio, orders))
    due = work >= policy.min_trade_dollars if buying else work > ZERO
    return _Orders(orders, tuple(skipped), tuple(targets.warnings), tuple(notes), due=due)


def _after(allocation: Allocation, orders: tuple[PlannedOrder, ...]) -> tuple[AllocationRow, ...]:
    changes: dict[str, Decimal] = {}
    spent = ZERO
    for order in orders:
        signed = order.est_value if order.side is Side.BUY else -order.est_value
        changes[order.category] = changes.get(order.category, ZERO) + signed
        spent += signed
    changes[CASH_CATEGORY] = -spent
    return after_trades(allocation.rows, allocation.investable, changes)


def _invest_notes(
    policy: Policy,
    portfolio: Portfolio,
    allocation: Allocation,
    orders: tuple[PlannedOrder, ...],
    *,
    full: bool = False,
) -> list[str]:
    """What the buy-only plan, or the full rebalance (``full``), leaves uninvested, and why."""
    bought = sum((o.est_value for o in orders if o.side is Side.BUY), ZERO)
    sold = sum((o.est_value for o in orders if o.side is Side.SELL), ZERO)
    left = cash_above_reserve(policy, portfolio, allocation) + sold - bought
    if left < CENT / 2:
        return []
    note = f"{dollars(left)} of the cash above the reserve stays uninvested"
    parts = []
    buffer = bought * policy.buy_buffer_pct / HUNDRED
    kept = min(buffer, left)
    if kept >= CENT / 2:
        note_kept = f"{dollars(kept)} is the buy buffer"
        if buffer - kept < CENT / 2:
            note_kept += (
                f" ({plain(policy.buy_buffer_pct)}% of the buys, kept for fill prices above "
                "the estimate)"
            )
        else:  # whole shares took the buys past the budget that keeps all of the buffer
            note_kept += (
                f", kept for fill prices above the estimate "
                f"({(kept / bought * HUNDRED).quantize(CENT)}% of the buys, not the "
                f"{plain(policy.buy_buffer_pct)}% set: whole shares took the buys past the budget)"
            )
        parts.append(note_kept)
    rest = left - kept
    if rest >= CENT / 2:
        after = _after(allocation, orders)
        under = [
            r
            for r in after
            if r.category != CASH_CATEGORY
            and r.current_value < r.target_value
            and not r.out_of_band
        ]
        if rest < policy.min_trade_dollars:
            why = f"less than min_trade_dollars ({dollars(policy.min_trade_dollars)})"
        elif all(r.current_value >= r.target_value for r in after if r.category != CASH_CATEGORY):
            why = "every category is at or above its target"
        elif full and under:
            below = ", ".join(f"{r.category} {-r.drift_pct:.2f} points" for r in under)
            why = (
                f"the categories below their targets are within their bands ({below} below), "
                f"and a rebalance trades only the categories out of band; "
                f"`trader plan --buy-only` invests it without selling"
            )
        else:
            why = (
                "what the rules leave: whole shares, the trade cap, the position caps or "
                "symbols that cannot be bought now (see what was not traded)"
            )
        parts.append(f"{dollars(rest)}: {why}" if parts else why)
    return [f"{note}: {'; '.join(parts)}"]


def _raise_notes(
    policy: Policy, portfolio: Portfolio, orders: tuple[PlannedOrder, ...]
) -> list[str]:
    """Whether the cash was there already, and what the sells bring in."""
    needed = cash_to_raise(policy, portfolio)
    if needed <= ZERO:
        return ["the cash above the reserve already covers the withdrawal: nothing needs selling"]
    sold = sum((o.est_value for o in orders if o.side is Side.SELL), ZERO)
    return [
        f"the sells raise {dollars(sold)} of the {dollars(needed)} the withdrawal needs beyond "
        f"the cash there"
    ]


def _unsold_stops(stops: list[StopSell]) -> list[str]:
    return [
        f"{stop.symbol} hit its trailing stop, but cash_flow buy_only never sells to rebalance: "
        f"sell it yourself, or plan with cash_flow prefer or full"
        for stop in stops
    ]


def _blocked_buys(policy: Policy, portfolio: Portfolio, stops: list[StopSell]) -> dict[str, str]:
    """Symbols this plan must not buy: sold at a loss in the last 30 days, just stopped, or
    stopped less than ``stop_reentry_days`` ago."""
    blocked = {stop.symbol: "it hit its trailing stop" for stop in stops}
    for symbol, (sold, until) in reentry_waits(policy, portfolio).items():
        blocked.setdefault(symbol, reentry_reason(policy, sold, until))
    if portfolio.today is not None and portfolio.wash.last_loss_sale:  # else none is blocked
        for holding in portfolio.holdings:
            sold = portfolio.wash.sold_at_loss_recently(holding.symbol, portfolio.today)
            if sold is not None and holding.symbol not in blocked:
                blocked[holding.symbol] = (
                    f"sold at a loss on {sold}: buying it within 30 days would wash that loss"
                )
    return blocked


def _halted_categories(policy: Policy, stops: list[StopSell]) -> dict[str, str]:
    halted = {}
    for stop in stops:
        category = policy.category_of(stop.symbol)
        if category is not None:
            halted[category] = (
                f"{stop.symbol} hit its trailing stop: '{category}' is not bought back in this plan"
            )
    return halted


def _add_harvests(
    policy: Policy, portfolio: Portfolio, orders: tuple[PlannedOrder, ...], blocked: set[str]
) -> tuple[tuple[PlannedOrder, ...], list[SkippedOrder]]:
    cap = policy.max_trades_per_session
    slots = (cap - len(orders)) if cap is not None else 1_000_000
    busy = {order.symbol for order in orders}
    chosen, refused = harvests(policy, portfolio, busy, slots, blocked)
    extra: list[PlannedOrder] = []
    for harvest in chosen:
        sold = portfolio.holding(harvest.sell_symbol)
        bought = portfolio.holding(harvest.buy_symbol)
        assert sold is not None and bought is not None
        category = policy.category_of(harvest.sell_symbol) or "tax_equivalents"
        extra.append(
            PlannedOrder(
                symbol=sold.symbol,
                side=Side.SELL,
                qty=harvest.sell_qty,
                est_price=sold.price,
                est_value=harvest.sell_qty * sold.price,
                category=category,
                reason=harvest.sell_reason,
                est_realized_pl=cents(harvest.loss),
                kind=OrderKind.HARVEST,
            )
        )
        extra.append(
            PlannedOrder(
                symbol=bought.symbol,
                side=Side.BUY,
                qty=harvest.buy_qty,
                est_price=bought.price,
                est_value=harvest.buy_qty * bought.price,
                category=policy.category_of(bought.symbol) or category,
                reason=harvest.buy_reason,
                kind=OrderKind.HARVEST,
            )
        )
    skipped = [
        SkippedOrder(b.symbol, policy.category_of(b.symbol) or "-", b.side, b.reason)
        for b in refused
    ]
    merged = sorted((*orders, *extra), key=lambda o: (o.side is Side.BUY, -o.est_value, o.symbol))
    return tuple(merged), skipped


def _with_lots(portfolio: Portfolio, order: PlannedOrder) -> PlannedOrder:
    """A sell's realized gain from the lots it closes (FIFO), split by holding period."""
    if order.side is not Side.SELL:
        return order
    holding = portfolio.holding(order.symbol)
    found = realization(portfolio, holding, order.qty) if holding is not None else None
    if found is None:
        return order
    # Estimates of money, to the cent: the lots' exact figures can carry endless digits
    # (a cost averaged over a third of a share), which no one reads and no store keeps.
    # The total is made of the rounded parts, so that total = short + long - washed holds.
    short, long, washed = cents(found.short_term), cents(found.long_term), cents(found.washed)
    reason = order.reason
    if washed > ZERO:
        reason += (
            f"; washed: {dollars(washed)} of the loss is disallowed ({order.symbol} was "
            f"bought within 30 days) and moves into the basis of the shares kept"
        )
    return replace(
        order,
        reason=reason,
        est_realized_pl=short + long - washed,
        est_short_term=short,
        est_long_term=long,
        est_washed=washed if washed > ZERO else None,
    )


def tax_estimate(policy: Policy, orders: tuple[PlannedOrder, ...]) -> TaxEstimate:
    """Realized gains and losses of the plan's sells, and their tax at the config's rates."""
    st_gain = st_loss = lt_gain = lt_loss = harvested = saved = washed = ZERO
    known = True
    st_rate = policy.short_term_tax_rate / HUNDRED
    lt_rate = policy.long_term_tax_rate / HUNDRED
    for order in orders:
        if order.side is not Side.SELL:
            continue
        if order.est_short_term is None or order.est_long_term is None:
            known = False
            continue
        st, lt = order.est_short_term, order.est_long_term  # what counts: washed loss is out
        washed += order.est_washed or ZERO
        st_gain += max(st, ZERO)
        st_loss += min(st, ZERO)
        lt_gain += max(lt, ZERO)
        lt_loss += min(lt, ZERO)
        if order.kind is OrderKind.HARVEST:
            harvested += st + lt
            saved -= st * st_rate + lt * lt_rate
    return TaxEstimate(
        short_term_gains=st_gain,
        short_term_losses=st_loss,
        long_term_gains=lt_gain,
        long_term_losses=lt_loss,
        harvested_loss=harvested,
        tax_saved=saved,
        estimated_tax=(st_gain + st_loss) * st_rate + (lt_gain + lt_loss) * lt_rate,
        lots_known=known,
        washed_loss=washed,
    )


def _input_warnings(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> list[str]:
    warnings = []
    for symbol in allocation.uncategorised:
        warnings.append(
            f"{symbol} is held but in no category: it counts in the investable value (so "
            f"the categories read lower) and is never traded; list it under `unmanaged` to "
            f"leave it out, or add it to a category"
        )
    if allocation.investable <= ZERO:
        warnings.append(
            f"equity {dollars(allocation.equity)} is not above the cash reserve of "
            f"{dollars(policy.cash_reserve)}: nothing to invest"
        )
    elif portfolio.cash < policy.cash_reserve:
        warnings.append(
            f"cash {dollars(portfolio.cash)} is below the reserve of {dollars(policy.cash_reserve)}"
        )
    priced = portfolio.positions.keys()
    for category in policy.target_allocation:
        if category == CASH_CATEGORY:
            continue
        if priced.isdisjoint(policy.categories[category]):
            warnings.append(f"{no_price(policy, portfolio, category)}: it is not bought")
    return warnings


def _cap_warnings(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> list[str]:
    if allocation.investable <= ZERO:
        return []
    warnings = []
    for holding in portfolio.holdings:
        weight = holding.value / allocation.investable * HUNDRED
        if weight > policy.max_single_position:
            warnings.append(
                f"{holding.symbol} is {weight.quantize(CENT)}% of the investable value, above "
                f"max_single_position ({policy.max_single_position}%); no rebalance is due, "
                f"so it is trimmed at the next one"
            )
    leveraged = sum((h.value for h in portfolio.holdings if h.symbol in policy.leverage), ZERO)
    weight = leveraged / allocation.investable * HUNDRED
    if weight > policy.max_leveraged_total:
        warnings.append(
            f"leveraged funds are {weight.quantize(CENT)}% of the investable value, above "
            f"max_leveraged_total ({policy.max_leveraged_total}%); no rebalance is due"
        )
    return warnings


def _problem(
    policy: Policy,
    portfolio: Portfolio,
    targets: SymbolTargets,
    *,
    moving_only: bool = False,
    held_back: Decimal = ZERO,
    sells_allowed: bool = True,
    buys_allowed: bool = True,
) -> ShareProblem:
    """The quantity problem of the symbol targets; ``moving_only`` leaves out the symbols
    at rest (at their target value, within their cap); ``held_back`` is cash above the
    reserve that the trades may not spend (the buy buffer)."""
    positions = portfolio.positions  # symbol_targets only names priced symbols
    fractional = policy.fractional_shares
    upper_bound = targets.upper_bound
    items = []
    for symbol, target_value in targets.target_value.items():
        holding = positions[symbol]
        bound = upper_bound.get(symbol)
        if moving_only and at_rest(holding.qty * holding.price, target_value, bound):
            continue
        items.append(
            ShareTarget(
                symbol=symbol,
                price=holding.price,
                held=holding.qty,
                target_value=target_value,
                step=QTY_STEP if fractional and holding.fractionable else WHOLE,
                max_value=bound,
            )
        )
    return ShareProblem(
        targets=tuple(items),
        budget=portfolio.cash - policy.cash_reserve - held_back,
        min_trade=policy.min_trade_dollars,
        max_trades=policy.max_trades_per_session,
        sells_allowed=sells_allowed,
        buys_allowed=buys_allowed,
    )


def _choose_orders(
    policy: Policy,
    portfolio: Portfolio,
    targets: SymbolTargets,
    *,
    sells_allowed: bool = True,
    buys_allowed: bool = True,
) -> tuple[tuple[PlannedOrder, ...], list[SkippedOrder]]:
    # Most symbols of a band rebalance are at rest: when the others at their own best fit,
    # that is the answer (the one solve_shares finds first), and the ones at rest, which
    # stay put, need no place in the problem nor any line below.
    sides = (sells_allowed, buys_allowed)
    problem, deltas = _solve(policy, portfolio, targets, ZERO, sides)
    held_back = _buy_buffer_shortfall(policy, portfolio, problem, deltas)
    if held_back > ZERO:
        # The buys would leave less than the buffer in hand: solve again with the buffer
        # (of these buys, the most the answer can buy) kept out of the budget.
        problem, deltas = _solve(policy, portfolio, targets, held_back, sides)
    orders: list[PlannedOrder] = []
    skipped: list[SkippedOrder] = []
    traded = len(deltas) - deltas.count(ZERO)
    for item, delta in zip(problem.targets, deltas, strict=True):
        symbol = item.symbol
        category = targets.category[symbol]
        if delta:
            holding = portfolio.positions[symbol]
            side = Side.BUY if delta > ZERO else Side.SELL
            qty = abs(delta)
            value = qty * item.price
            reason = targets.reason.get(symbol) or _rounding_reason(item, side)
            orders.append(
                PlannedOrder(
                    symbol=symbol,
                    side=side,
                    qty=qty,
                    est_price=item.price,
                    est_value=value,
                    category=category,
                    reason=reason,
                    kind=targets.kind.get(symbol, OrderKind.REBALANCE),
                    est_realized_pl=(item.price - holding.avg_cost) * qty
                    if side is Side.SELL
                    else None,
                )
            )
        elif symbol in targets.reason:
            gap = item.target_value - item.held * item.price
            if abs(gap) < CENT:
                continue
            side = Side.BUY if gap > ZERO else Side.SELL
            why = _skip_reason(policy, problem, item, gap, traded)
            skipped.append(SkippedOrder(symbol, category, side, why))
    for category, why in targets.unbuyable.items():
        primary = policy.categories[category][0]
        skipped.append(SkippedOrder(primary, category, Side.BUY, why))
    orders.sort(key=lambda o: (o.side is Side.BUY, -o.est_value, o.symbol))
    return tuple(orders), skipped


def _solve(
    policy: Policy,
    portfolio: Portfolio,
    targets: SymbolTargets,
    held_back: Decimal,
    sides: tuple[bool, bool] = (True, True),
) -> tuple[ShareProblem, tuple[Decimal, ...]]:
    """``sides``: whether sells and buys are allowed (a cash-flow plan trades one way)."""
    sells, buys = sides
    return solve_moving_first(
        _problem(
            policy,
            portfolio,
            targets,
            moving_only=True,
            held_back=held_back,
            sells_allowed=sells,
            buys_allowed=buys,
        ),
        lambda: _problem(
            policy, portfolio, targets, held_back=held_back, sells_allowed=sells, buys_allowed=buys
        ),
    )


def _buy_buffer_shortfall(
    policy: Policy, portfolio: Portfolio, problem: ShareProblem, deltas: tuple[Decimal, ...]
) -> Decimal:
    """The buffer the answer's buys need (``buy_buffer_pct`` of their value) when the cash
    it leaves above the reserve is short of it; zero when it is not."""
    if not policy.buy_buffer_pct:
        return ZERO
    buys = sum((d * t.price for d, t in zip(deltas, problem.targets, strict=True) if d > 0), ZERO)
    spend = sum((d * t.price for d, t in zip(deltas, problem.targets, strict=True)), ZERO)
    needed = buys * policy.buy_buffer_pct / HUNDRED
    left = portfolio.cash - policy.cash_reserve - spend
    return needed if needed > left else ZERO


def _rounding_reason(item: ShareTarget, side: Side) -> str:
    verb = "buys" if side is Side.BUY else "sells"
    return f"{verb} {item.symbol} to use the cash and share rounding best (closest to targets)"


def _skip_reason(
    policy: Policy, problem: ShareProblem, item: ShareTarget, gap: Decimal, traded: int
) -> str:
    side = "buy" if gap > ZERO else "sell"
    amount = abs(gap)
    if side == "sell" and not problem.sells_allowed:
        return "a buy-only plan sells nothing: it waits for a full rebalance"
    if side == "buy" and not problem.buys_allowed:
        return "a withdrawal's plan buys nothing: it waits for a full rebalance"
    if amount < policy.min_trade_dollars:
        return (
            f"the {side} of {dollars(amount)} is below min_trade_dollars "
            f"({dollars(policy.min_trade_dollars)})"
        )
    if item.step == WHOLE and amount * 2 <= item.price:
        return (
            f"the {side} of {dollars(amount)} is less than half a share at "
            f"{dollars(item.price)} (whole shares only)"
        )
    if problem.max_trades is not None and traded >= problem.max_trades:
        return (
            f"over max_trades_per_session ({problem.max_trades}): the plan keeps the orders "
            f"that cut the most drift"
        )
    if side == "buy":
        return f"no cash left above the reserve of {dollars(policy.cash_reserve)}"
    return "the plan comes closer to its targets without this sell"
