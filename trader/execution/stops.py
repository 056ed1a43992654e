"""Broker-side trailing stops (``trailing_stop_mode: broker``).

Instead of the plan recommending sales, Alpaca's own ``trailing_stop`` orders
(``trail_percent``) guard each holding between runs. They are ours — their client
order ids start with ``trader-ts-`` — and they get in the way of our own trades: a
buy of a symbol with an open stop (a sell) is refused as a potential wash trade, and
a sell finds the shares held by the stop. So before the plan trades a symbol its stop
is cancelled, and after the run every holding gets a stop for its whole shares again
(Alpaca takes trailing stops for whole shares only, as GTC orders).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal

from trader.broker.protocol import Broker
from trader.core.domain import Order, OrderRequest, Position, Side
from trader.core.money import ZERO, floor_qty, plain
from trader.errors import OrderRejected

STOP_PREFIX = "trader-ts-"


def is_our_stop(order: Order) -> bool:
    return order.client_order_id.startswith(STOP_PREFIX)


def stop_client_id(symbol: str) -> str:
    return f"{STOP_PREFIX}{symbol}-{uuid.uuid4().hex[:16]}"


def wait_closed(
    broker: Broker,
    order_ids: set[str],
    *,
    timeout: float,
    interval: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Wait (backing off to 5 s) until none of ``order_ids`` is open; False at the timeout."""
    deadline = time.monotonic() + timeout
    while order_ids and any(o.order_id in order_ids for o in broker.open_orders()):
        if time.monotonic() >= deadline:
            return False
        sleep(interval)
        interval = min(interval * 1.5, 5.0)
    return True


def cancel_stops(
    broker: Broker,
    symbols: Iterable[str],
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> list[str]:
    """Cancel our open stops on ``symbols`` and wait until the broker has let them go."""
    wanted = set(symbols)
    doomed = [o for o in broker.open_orders() if is_our_stop(o) and o.symbol in wanted]
    for order in doomed:
        broker.cancel(order.order_id)
    wait_closed(broker, {o.order_id for o in doomed}, timeout=timeout, sleep=sleep)
    return [
        f"cancelled our trailing stop on {o.symbol} before trading it; it is placed again "
        f"after the run"
        for o in doomed
    ]


def _free(position: Position, held_by_our_stop: Decimal = ZERO) -> Decimal:
    """Whole shares a stop may hold: those no other open sell order holds."""
    available = position.qty if position.qty_available is None else position.qty_available
    return floor_qty(available + held_by_our_stop, Decimal(1))


def place_stops(
    broker: Broker, symbols: Iterable[str], trail_percent: Decimal, *, timeout: float
) -> list[str]:
    """Give every held symbol of ``symbols`` one trailing stop for its whole shares that no
    other open sell order holds (the user's own GTC sell, say). A stop the broker refuses
    is a note, not a failure: the plan's orders are out by then."""
    wanted = set(symbols)
    notes: list[str] = []
    positions = {p.symbol: p for p in broker.positions() if p.symbol in wanted}
    existing: dict[str, list[Order]] = {}
    for order in broker.open_orders():
        if is_our_stop(order):
            existing.setdefault(order.symbol, []).append(order)
    stale = [
        o
        for symbol, orders in existing.items()
        for o in orders
        if len(orders) > 1
        or symbol not in positions
        or o.qty != _free(positions[symbol], o.qty or ZERO)
    ]
    if stale:
        cancel_stops(broker, {o.symbol for o in stale}, timeout=timeout)
        existing = {s: os for s, os in existing.items() if s not in {o.symbol for o in stale}}
        positions = {p.symbol: p for p in broker.positions() if p.symbol in wanted}
    for symbol, position in sorted(positions.items()):
        whole = _free(position)
        if symbol in existing:
            continue
        if whole <= ZERO:
            notes.append(
                f"{symbol}: {plain(position.qty)} shares, no whole share free for a trailing stop"
            )
            continue
        try:
            broker.submit(
                OrderRequest(
                    symbol=symbol,
                    side=Side.SELL,
                    client_order_id=stop_client_id(symbol),
                    qty=whole,
                    order_type="trailing_stop",
                    time_in_force="gtc",
                    trail_percent=trail_percent,
                )
            )
        except OrderRejected as exc:
            notes.append(f"{symbol}: the broker refused its trailing stop: {exc}")
            continue
        notes.append(f"trailing stop placed on {plain(whole)} {symbol} ({plain(trail_percent)}%)")
    return notes
