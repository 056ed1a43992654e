"""``trader orders --cancel ID`` and ``--all-ours``: cancel open orders at the broker.

Only orders ``trader`` sent (their client order id is one of ours) are cancelled unless
``--not-ours`` is given with ``--cancel ID``: the user's own orders are theirs to keep.
A cancelled order of a plan is recorded in the store as the broker reports it.
"""

from __future__ import annotations

from trader.broker.protocol import Broker
from trader.core.domain import AccountMode, Order
from trader.core.money import plain
from trader.core.staging import parse_client_order_id
from trader.errors import ConfigError, NotFound
from trader.execution.submit import record
from trader.store import Store


def choose(open_orders: list[Order], cancel_id: str | None, not_ours: bool) -> list[Order]:
    """The open orders to cancel: the one named by ``cancel_id`` (broker or client order
    id), or every open order of ours when it is None."""
    if cancel_id is None:
        return [o for o in open_orders if parse_client_order_id(o.client_order_id)]
    found = [o for o in open_orders if cancel_id in (o.order_id, o.client_order_id)]
    if not found:
        raise NotFound(f"--cancel {cancel_id}: no open order with that id (`trader orders`)")
    order = found[0]
    if not not_ours and parse_client_order_id(order.client_order_id) is None:
        raise ConfigError(
            f"--cancel {cancel_id}: not sent by trader (client order id "
            f"{order.client_order_id}); add --not-ours to cancel it anyway"
        )
    return [order]


def cancel_orders(
    broker: Broker, store: Store, mode: AccountMode, orders: list[Order]
) -> list[str]:
    """Cancel each order and record how it ended; one line per order for the user."""
    lines = []
    for order in orders:
        broker.cancel(order.order_id)
        after = broker.order_by_client_id(order.client_order_id) or order
        ours = parse_client_order_id(order.client_order_id)
        if ours and store.staged_plan(mode, ours[0]) is not None:
            record(store, ours[0], ours[1], after, "orders")
        qty = plain(order.qty) if order.qty is not None else f"${plain(order.notional or 0)}"
        lines.append(
            f"{order.side.value} {qty} {order.symbol} ({order.client_order_id}): {after.status}"
        )
    return lines
