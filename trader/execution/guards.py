"""The checks ``trader execute`` makes before sending, as pure functions.

Each check returns nothing or raises the refusal with its reason (its own exit code,
see ``trader.errors``). They look only at values: the staged plan, what the broker
says now, the config's limits. ``size_buys`` decides the buys from the cash that is
really there after the sells, keeping the reserve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from trader.core.domain import Order, Side
from trader.core.money import CENT, ZERO, dollars, floor_qty, plain
from trader.core.staging import Basis, StagedOrder, StagedPlan
from trader.errors import DepositNotArrived, LimitExceeded, PlanExpired, PriceMoved, StalePlan
from trader.execution.collar import worst_price
from trader.execution.stops import is_our_stop

HUNDRED = Decimal(100)


def check_expiry(plan: StagedPlan, now: datetime, ttl_minutes: int) -> None:
    age = now - plan.created_at
    if age > timedelta(minutes=ttl_minutes):
        minutes = int(age.total_seconds() // 60)
        raise PlanExpired(
            f"plan {plan.uid} was made {minutes} minutes ago, more than plan_ttl_minutes "
            f"({ttl_minutes}): run `trader plan` again"
        )


def expected_basis(plan: StagedPlan) -> Basis:
    """The account the plan expects now: its basis, the deposit it counted on, and what
    its own orders have filled."""
    positions = dict(plan.basis.positions)
    cash = plan.basis.cash + plan.basis.deposit
    for order in plan.orders:
        if order.filled_qty <= ZERO:
            continue
        price = order.filled_avg_price or order.est_price
        sign = Decimal(1) if order.side is Side.BUY else Decimal(-1)
        positions[order.symbol] = positions.get(order.symbol, ZERO) + sign * order.filled_qty
        cash -= sign * order.filled_qty * price
    return Basis(cash, positions)


def check_basis(plan: StagedPlan, actual: Basis, cash_tolerance: Decimal) -> None:
    """Refuse when positions or cash differ from what the plan and its own fills explain;
    a plan made for a deposit waits (its own refusal) until the cash is there."""
    expected = expected_basis(plan)
    deposit = plan.basis.deposit
    if deposit and actual.cash < expected.cash - cash_tolerance:
        raise DepositNotArrived(
            f"plan {plan.uid} was made for a deposit of {dollars(deposit)} that has not arrived: "
            f"the account has {dollars(actual.cash)} in cash, the plan needs "
            f"{dollars(expected.cash)}; run `trader execute` again once the transfer is in "
            f"(or `trader plan` again without --deposit)"
        )
    changes = []
    for symbol in sorted(set(expected.positions) | set(actual.positions)):
        want = expected.positions.get(symbol, ZERO)
        have = actual.positions.get(symbol, ZERO)
        if want != have:
            changes.append(f"{symbol} {plain(want)} -> {plain(have)} shares")
    if abs(expected.cash - actual.cash) > cash_tolerance:
        changes.append(f"cash {dollars(expected.cash)} -> {dollars(actual.cash)}")
    if changes:
        raise StalePlan(
            f"the account changed since plan {plan.uid} was made ({'; '.join(changes)}): "
            f"run `trader plan` again"
        )


def check_prices(
    orders: Iterable[StagedOrder], prices: Mapping[str, Decimal], max_move_pct: Decimal
) -> None:
    moved = []
    for order in orders:
        price = prices.get(order.symbol)
        if price is None:
            moved.append(f"{order.symbol}: no current price")
            continue
        move = abs(price - order.est_price) / order.est_price * HUNDRED
        if move > max_move_pct:
            moved.append(
                f"{order.symbol} {dollars(order.est_price)} -> {dollars(price)} "
                f"({move.quantize(CENT)}%)"
            )
    if moved:
        raise PriceMoved(
            f"prices moved more than max_price_move_pct ({plain(max_move_pct)}%) since planning: "
            f"{'; '.join(moved)}; run `trader plan` again"
        )


def check_limits(
    orders: Iterable[StagedOrder],
    prices: Mapping[str, Decimal],
    max_order: Decimal,
    max_session: Decimal,
    already_traded: Decimal = ZERO,
    limits: Mapping[int, Decimal] | None = None,
) -> None:
    """Fat-finger limits on the value of each order and of the session, at the worst case:
    a buy at its limit price (the most it can pay), else at the current price."""
    total = already_traded
    limits = limits or {}
    for order in orders:
        limit = limits.get(order.seq)
        value = order.qty * worst_price(order, prices, limit)
        if value > max_order:
            at = f" at its limit {dollars(limit)}" if value == order.qty * (limit or -1) else ""
            raise LimitExceeded(
                f"{order.side.value} {plain(order.qty)} {order.symbol} is worth "
                f"{dollars(value)}{at}, above execution.max_order_dollars "
                f"({dollars(max_order)}); nothing was sent"
            )
        total += value
    if total > max_session:
        raise LimitExceeded(
            f"the session's orders add up to {dollars(total)}, above "
            f"execution.max_session_dollars ({dollars(max_session)}); nothing was sent"
        )


def conflicts(
    orders: Iterable[StagedOrder], open_orders: Sequence[Order]
) -> dict[int, list[Order]]:
    """Open orders not of this plan, on the same symbol and the other side: Alpaca would
    refuse ours as a potential wash trade while any one of them is open. Keyed by our
    order's number; every such order, not only the first."""
    ours = {order.client_order_id for order in orders}
    found: dict[int, list[Order]] = {}
    for order in orders:
        clashing = [
            other
            for other in open_orders
            if other.client_order_id not in ours
            and not is_our_stop(other)  # our broker-side stop: moved aside, not a conflict
            and other.symbol == order.symbol
            and other.side is not order.side
        ]
        if clashing:
            found[order.seq] = clashing
    return found


@dataclass(frozen=True, slots=True)
class BuySize:
    seq: int
    qty: Decimal  # zero: dropped
    note: str | None


def size_buys(
    buys: Sequence[StagedOrder],
    prices: Mapping[str, Decimal],
    steps: Mapping[str, Decimal],
    cash: Decimal,
    reserve: Decimal,
    min_trade: Decimal,
    buffer_pct: Decimal = ZERO,
    limits: Mapping[int, Decimal] | None = None,
) -> list[BuySize]:
    """Fit the buys, largest first, into the cash above the reserve; shrink or drop the rest.

    Each buy is counted at the most it may pay: a limit buy at its limit price (``limits``,
    by order number); a market buy at its price plus ``buffer_pct``, since it fills at the
    ask, not at the last trade. The cash it may take never goes below the reserve."""
    room = cash - reserve
    limits = limits or {}
    factor = 1 + buffer_pct / 100
    sized = []
    for order in buys:
        price = prices.get(order.symbol, order.est_price)
        limit = limits.get(order.seq)
        cost = limit if limit is not None else price * factor
        if limit is not None:
            kept = f", counting each buy at its limit price ({dollars(limit)})"
        else:
            kept = f", keeping {plain(buffer_pct)}% for the fill price" if buffer_pct else ""
        wanted = order.qty * cost
        if wanted <= room:
            sized.append(BuySize(order.seq, order.qty, None))
            room -= wanted
            continue
        qty = floor_qty(max(room, ZERO) / cost, steps.get(order.symbol, Decimal(1)))
        value = qty * price
        available = f"{dollars(max(room, ZERO))} above the reserve of {dollars(reserve)}{kept}"
        if qty <= ZERO or value < min_trade:
            sized.append(
                BuySize(
                    order.seq,
                    ZERO,
                    f"dropped: only {available} after the sells, below min_trade_dollars "
                    f"({dollars(min_trade)})"
                    if qty > ZERO
                    else f"dropped: only {available} after the sells",
                )
            )
            continue
        sized.append(
            BuySize(
                order.seq,
                qty,
                f"shrunk from {plain(order.qty)} to {plain(qty)} shares: only {available} "
                f"after the sells",
            )
        )
        room -= qty * cost
    return sized
