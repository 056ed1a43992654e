"""How orders fill and how time passes in the sim.

Nothing moves on its own. Orders are looked at again only when something could
change their fate: a submission, a price change, or the clock being moved.

- While the market is open, ``process`` activates waiting orders (``accepted`` ->
  ``new``), updates trailing stops' high-water marks and fills every order that is
  marketable at the current price: market orders at once, limit orders when the
  price is at or through the limit, stops once triggered. A fill happens at the
  current price; market and limit orders fill at the quote (see ``margin``: the last
  trade on a cash account without a spread), a limit order only when the quote is
  within its limit, else it rests until the price comes back or the day ends.
- A fill ratio below 1 for a symbol makes an order fill only that fraction of its
  quantity (``partially_filled``); the rest waits until the ratio is back at 1 and
  something prompts another look.
- ``advance_to`` walks the clock through every session open and close on the way:
  at an open the orders sent while the market was shut are released, at a close
  day orders still working expire and the session's closing prices are recorded
  for the price history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from trader.core.money import QTY_STEP, ZERO, cents
from trader.sim import margin
from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS
from trader.sim.state import FillActivity, Order, Position, SimState, activity_id

HUNDRED = Decimal(100)
AVG_PRICE_STEP = Decimal("0.000000001")


def _floor(qty: Decimal, symbol: str) -> Decimal:
    step = QTY_STEP if ASSETS[symbol].fractionable else Decimal(1)
    return qty.quantize(step, rounding=ROUND_DOWN)


def _trailing_stop(order: Order, price: Decimal) -> Order:
    """Follow the high-water mark (low-water for buys) and move the stop with it."""
    mark = order.hwm if order.hwm is not None else price
    mark = max(mark, price) if order.side == "sell" else min(mark, price)
    sign = -1 if order.side == "sell" else 1
    if order.trail_percent is not None:
        stop = mark * (1 + sign * order.trail_percent / HUNDRED)
    else:
        stop = mark + sign * (order.trail_price or ZERO)
    return order.updated(order.updated_at, hwm=mark, stop_price=cents(stop))


def execution_price(order: Order, price: Decimal) -> Decimal | None:
    """The price the order trades at now, or None when it is not marketable."""
    buying = order.side == "buy"
    if order.type in ("stop", "stop_limit", "trailing_stop") and not order.triggered:
        stop = order.stop_price
        if stop is None or (price < stop if buying else price > stop):
            return None
    if order.type in ("limit", "stop_limit"):
        limit = order.limit_price
        if limit is None or (price > limit if buying else price < limit):
            return None
    return price


def within_limit(order: Order, price: Decimal) -> Decimal | None:
    """``price`` if the order's limit allows it (a buy at or below, a sell at or above)."""
    limit = order.limit_price
    if order.type != "limit" or limit is None:
        return price
    return price if (price <= limit if order.side == "buy" else price >= limit) else None


def _apply_to_account(
    state: SimState, symbol: str, side: str, qty: Decimal, price: Decimal
) -> None:
    amount = cents(qty * price)
    held = state.positions.get(symbol)
    if side == "buy":
        state.cash -= amount
        if held is None:
            state.positions[symbol] = Position(symbol, qty, price)
        else:
            total = held.qty + qty
            average = (held.cost_basis + qty * price) / total
            state.positions[symbol] = Position(symbol, total, average.quantize(AVG_PRICE_STEP))
        return
    state.cash += amount
    if held is None:
        raise ValueError(f"sell of {symbol} with no position")
    remaining = held.qty - qty
    if remaining < ZERO:
        raise ValueError(f"sell of {qty} {symbol} exceeds the {held.qty} held")
    if remaining == ZERO:
        del state.positions[symbol]
    else:
        state.positions[symbol] = Position(symbol, remaining, held.avg_entry_price)


def record_fill(state: SimState, order: Order, qty: Decimal, price: Decimal) -> Order:
    """Book one execution: account, order and a FILL activity. Returns the updated order."""
    now = state.now
    _apply_to_account(state, order.symbol, order.side, qty, price)
    filled = order.filled_qty + qty
    previous_value = order.filled_qty * (order.filled_avg_price or ZERO)
    average = ((previous_value + qty * price) / filled).quantize(AVG_PRICE_STEP).normalize()
    target = order.target_qty or filled
    done = filled >= target
    status = "filled" if done else "partially_filled"
    updated = order.updated(
        now,
        filled_qty=filled,
        filled_avg_price=average,
        status=status,
        filled_at=now if done else order.filled_at,
    )
    state.orders[order.id] = updated
    state.activities.append(
        FillActivity(
            id=activity_id(now, state.next_uuid("activity")),
            order_id=order.id,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=price,
            transaction_time=now,
            type="fill" if done else "partial_fill",
            cum_qty=filled,
            leaves_qty=target - filled,
            order_status=status,
        )
    )
    return updated


def _work(state: SimState, order: Order, ratios: Mapping[str, Decimal]) -> None:
    price = state.prices[order.symbol]
    if order.status == "accepted":
        order = order.updated(state.now, status="new")
    if order.type == "trailing_stop" and not order.triggered:
        order = _trailing_stop(order, price)
    trade_price = execution_price(order, price)
    if trade_price is not None and order.type in ("stop", "stop_limit", "trailing_stop"):
        order = order.updated(order.updated_at, triggered=True)
    if trade_price is not None and order.type in ("market", "limit"):
        # A marketable order trades at the quote (the ask for a buy); a limit only within it.
        trade_price = within_limit(order, margin.market_fill_price(state, order.symbol, order.side))
    state.orders[order.id] = order
    if trade_price is None:
        return
    if order.target_qty is None and order.notional is not None:
        resolved = _floor(order.notional / trade_price, order.symbol)
        if resolved <= ZERO:
            return
        order = order.updated(order.updated_at, resolved_qty=resolved)
        state.orders[order.id] = order
    target = order.target_qty
    assert target is not None
    ratio = ratios.get(order.symbol, Decimal(1))
    wanted = target if ratio >= 1 else _floor(target * max(ratio, ZERO), order.symbol)
    if order.side == "sell":
        wanted = min(wanted, order.filled_qty + state.held(order.symbol))
    qty = wanted - order.filled_qty
    if qty > ZERO:
        record_fill(state, order, qty, trade_price)


def process(state: SimState, ratios: Mapping[str, Decimal]) -> None:
    """Give every open order its chance to trade, if the market is open."""
    if not cal.is_open(state.now):
        return
    for order in state.open_orders():
        _work(state, order, ratios)


def _close_session(state: SimState, session: cal.Session) -> None:
    for order in state.open_orders():
        if order.time_in_force == "day" and order.status != "accepted":
            state.orders[order.id] = order.updated(
                state.now, status="expired", expired_at=state.now
            )
    state.recorded_closes[session.day.isoformat()] = dict(state.prices)


def advance_to(state: SimState, target: datetime, ratios: Mapping[str, Decimal]) -> None:
    """Move the clock forward to ``target``, handling each open and close on the way."""
    if target < state.now:
        raise ValueError("the sim clock only moves forward")
    for instant, kind, session in list(cal.events_between(state.now, target)):
        state.now = instant
        if kind == "open":
            process(state, ratios)
        else:
            _close_session(state, session)
    state.now = target
    process(state, ratios)


def cancel(state: SimState, order: Order) -> Order:
    canceled = order.updated(state.now, status="canceled", canceled_at=state.now)
    state.orders[order.id] = canceled
    return canceled
