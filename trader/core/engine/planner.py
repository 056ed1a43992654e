"""``plan_rebalance``: the one entry point of the engine.

It measures the allocation, decides whether a rebalance is due, turns the policy's
rules into a target value per symbol (``targets``), chooses quantities that come
closest to those targets within the cash reserve, the minimum trade, the trade cap,
the risk caps and whole shares (``whole_shares``), and writes the result down as a
:class:`~trader.core.engine.plan.Plan` with a reason for every order and every order
it decided against. It raises only when its inputs are inconsistent with each other.
"""

from __future__ import annotations

from decimal import Decimal

from trader.core.domain import Side
from trader.core.engine.allocation import Allocation, is_due, measure
from trader.core.engine.plan import Plan, PlannedOrder, SkippedOrder, input_hash
from trader.core.engine.targets import SymbolTargets, category_goals, fund, symbol_targets
from trader.core.engine.whole_shares import WHOLE, ShareProblem, ShareTarget, solve_shares
from trader.core.money import CENT, QTY_STEP, ZERO, cents
from trader.core.policy import CASH_CATEGORY, HUNDRED, Policy, Portfolio


def _money(value: Decimal) -> str:
    return f"${cents(value):,}"


def plan_rebalance(policy: Policy, portfolio: Portfolio) -> Plan:
    """Decide the orders that bring the portfolio back within its policy."""
    allocation = measure(policy, portfolio)
    warnings = _input_warnings(policy, portfolio, allocation)
    due = allocation.investable > ZERO and is_due(policy, portfolio, allocation)
    orders: tuple[PlannedOrder, ...] = ()
    skipped: list[SkippedOrder] = []
    if due:
        goals, out_of_band = category_goals(policy, allocation)
        goals = fund(policy, portfolio, allocation, goals)
        targets = symbol_targets(policy, portfolio, allocation, goals, out_of_band)
        warnings.extend(targets.warnings)
        orders, skipped = _choose_orders(policy, portfolio, targets)
    else:
        warnings.extend(_cap_warnings(policy, portfolio, allocation))
    cash_after = portfolio.cash
    for order in orders:
        cash_after += order.est_value if order.side is Side.SELL else -order.est_value
    if orders and cash_after < policy.cash_reserve:
        warnings.append(
            f"cash after the plan ({_money(cash_after)}) is below the reserve of "
            f"{_money(policy.cash_reserve)}: there was not enough to sell"
        )
    return Plan(
        method=policy.method,
        due=due,
        equity=allocation.equity,
        investable=allocation.investable,
        cash=portfolio.cash,
        cash_after=cash_after,
        allocation=allocation.rows,
        orders=orders,
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        input_hash=input_hash(policy, portfolio),
    )


def _input_warnings(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> list[str]:
    warnings = []
    for symbol in allocation.uncategorised:
        warnings.append(f"{symbol} is held but in no category: it is reported, not traded")
    if allocation.investable <= ZERO:
        warnings.append(
            f"equity {_money(allocation.equity)} is not above the cash reserve of "
            f"{_money(policy.cash_reserve)}: nothing to invest"
        )
    elif portfolio.cash < policy.cash_reserve:
        warnings.append(
            f"cash {_money(portfolio.cash)} is below the reserve of {_money(policy.cash_reserve)}"
        )
    for category in policy.target_allocation:
        if category == CASH_CATEGORY:
            continue
        if not any(portfolio.holding(s) for s in policy.categories[category]):
            warnings.append(f"no price for any symbol of '{category}': it cannot be bought")
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
    policy: Policy, portfolio: Portfolio, targets: SymbolTargets
) -> tuple[ShareProblem, list[str]]:
    symbols = list(targets.target_value)
    items = []
    for symbol in symbols:
        holding = portfolio.holding(symbol)
        assert holding is not None  # symbol_targets only names priced symbols
        fractional = policy.fractional_shares and holding.fractionable
        items.append(
            ShareTarget(
                symbol=symbol,
                price=holding.price,
                held=holding.qty,
                target_value=targets.target_value[symbol],
                step=QTY_STEP if fractional else WHOLE,
                max_value=targets.upper_bound.get(symbol),
            )
        )
    problem = ShareProblem(
        targets=tuple(items),
        budget=portfolio.cash - policy.cash_reserve,
        min_trade=policy.min_trade_dollars,
        max_trades=policy.max_trades_per_session,
    )
    return problem, symbols


def _choose_orders(
    policy: Policy, portfolio: Portfolio, targets: SymbolTargets
) -> tuple[tuple[PlannedOrder, ...], list[SkippedOrder]]:
    problem, symbols = _problem(policy, portfolio, targets)
    deltas = solve_shares(problem)
    orders: list[PlannedOrder] = []
    skipped: list[SkippedOrder] = []
    traded = sum(1 for d in deltas if d)
    for item, delta in zip(problem.targets, deltas, strict=True):
        symbol = item.symbol
        category = targets.category[symbol]
        holding = portfolio.holding(symbol)
        assert holding is not None
        if delta:
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


def _rounding_reason(item: ShareTarget, side: Side) -> str:
    verb = "buys" if side is Side.BUY else "sells"
    return f"{verb} {item.symbol} to use the cash and share rounding best (closest to targets)"


def _skip_reason(
    policy: Policy, problem: ShareProblem, item: ShareTarget, gap: Decimal, traded: int
) -> str:
    side = "buy" if gap > ZERO else "sell"
    amount = abs(gap)
    if amount < policy.min_trade_dollars:
        return (
            f"the {side} of {_money(amount)} is below min_trade_dollars "
            f"({_money(policy.min_trade_dollars)})"
        )
    if item.step == WHOLE and amount * 2 <= item.price:
        return (
            f"the {side} of {_money(amount)} is less than half a share at "
            f"{_money(item.price)} (whole shares only)"
        )
    if problem.max_trades is not None and traded >= problem.max_trades:
        return (
            f"over max_trades_per_session ({problem.max_trades}): the plan keeps the orders "
            f"that cut the most drift"
        )
    if side == "buy":
        return f"no cash left above the reserve of {_money(policy.cash_reserve)}"
    return "the plan comes closer to its targets without this sell"
