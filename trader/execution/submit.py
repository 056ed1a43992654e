"""Sending one order exactly once.

The order is marked ``submitted`` in the store *before* the broker is called, so a
run killed at any point leaves either an order never sent (``staged``) or one whose
fate only the broker knows (``submitted``), which the next run looks up by its
client order id. A failure that leaves doubt — a timeout, a dropped connection, a
5xx, a 429 — is settled the same way, at once: if the broker has the order, it is
recorded; if the broker says it has not, the order is sent again under the *same*
client order id, which the broker would refuse as a duplicate had it arrived after
all. A refusal (403/422) is final and recorded with the broker's message — except the
refusal of a duplicate, which proves the broker has the order (a lookup may still
miss it): the order is kept open, ``accepted``, and the wait and every later run
reconcile it by its client order id. Nothing is ever resent without asking the
broker first.

What the broker says of an order is written by :func:`record`, and the broker wins:
a final status in the store that the broker contradicts is corrected, and the
correction logged as an event.

After a *timeout* the first request may still be on its way to the broker, so the
lookup is patient: it asks again for up to ``patience`` seconds (three times the
request timeout) before concluding the order never arrived. Should it arrive even
later, the broker refuses the second copy, since the client order id is the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from trader.broker.protocol import Broker
from trader.core.domain import Order, OrderRequest
from trader.core.staging import StagedOrder
from trader.core.statuses import OrderStatus
from trader.errors import BrokerTimeout, OrderRejected, TemporaryBrokerError
from trader.store import Store

MAX_SENDS = 3
DUPLICATE_CODE = 40010001
DUPLICATE_NOTE = (
    "the broker refused a resend as a duplicate, so it has this order (its lookup missed "
    "it); kept open, and reconciled by its client order id"
)

_BROKER_TO_OURS = {
    "filled": OrderStatus.FILLED,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "canceled": OrderStatus.CANCELLED,
    "cancelled": OrderStatus.CANCELLED,
    "replaced": OrderStatus.CANCELLED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def our_status(broker_status: str) -> OrderStatus:
    """Alpaca's order status in the plan's words: anything still working is ``accepted``.

    ``done_for_day`` is not final: Alpaca keeps working the order in the next session."""
    return _BROKER_TO_OURS.get(broker_status, OrderStatus.ACCEPTED)


def record(
    store: Store, plan_uid: str, seq: int, order: Order, command: str = "execute"
) -> OrderStatus:
    """Write what the broker says of one of our orders; returns our status for it."""
    status = our_status(order.status)
    store.record_broker_order(
        plan_uid,
        seq,
        status,
        command,
        broker_order_id=order.order_id,
        filled_qty=order.filled_qty,
        filled_avg_price=order.filled_avg_price,
    )
    return status


def submit_once(
    broker: Broker,
    store: Store,
    plan_uid: str,
    order: StagedOrder,
    qty: Decimal,
    *,
    limit_price: Decimal | None = None,
    patience: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> OrderStatus:
    """Send ``qty`` of a staged order as a day order, a limit order at ``limit_price`` or a
    market order without one; returns our status for it. A resend after a doubt sends the
    very same request.

    Raises a TemporaryBrokerError only when the broker cannot even be asked; the order
    then stays ``submitted`` and the next ``trader execute --confirm`` settles it.
    """
    store.update_order(
        plan_uid,
        order.seq,
        status=OrderStatus.SUBMITTED,
        sent_qty=qty,
        submitted_at=datetime.now(UTC),
    )
    request = OrderRequest(
        symbol=order.symbol,
        side=order.side,
        client_order_id=order.client_order_id,
        qty=qty,
        order_type="market" if limit_price is None else "limit",
        time_in_force="day",
        limit_price=limit_price,
    )
    last: TemporaryBrokerError | None = None
    for attempt in range(MAX_SENDS):
        try:
            return record(store, plan_uid, order.seq, broker.submit(request))
        except OrderRejected as refusal:
            if refusal.code == DUPLICATE_CODE or "client_order_id must be unique" in str(refusal):
                found = broker.order_by_client_id(order.client_order_id)
                if found is not None:
                    return record(store, plan_uid, order.seq, found)
                # Refused as a duplicate: the broker has it, though it did not show it yet.
                store.update_order(
                    plan_uid, order.seq, status=OrderStatus.ACCEPTED, message=DUPLICATE_NOTE
                )
                return OrderStatus.ACCEPTED
            store.update_order(
                plan_uid, order.seq, status=OrderStatus.REJECTED, message=refusal.broker_message
            )
            return OrderStatus.REJECTED
        except TemporaryBrokerError as doubt:
            last = doubt
            wait = patience if isinstance(doubt, BrokerTimeout) else 0.0
            found = _look_up(
                broker, order.client_order_id, wait, sleep
            )  # may raise: stays submitted
            if found is not None:
                return record(store, plan_uid, order.seq, found)
            sleep(min(0.5 * 2**attempt, 4.0))
    assert last is not None
    raise last


def _look_up(
    broker: Broker, client_order_id: str, patience: float, sleep: Callable[[float], None]
) -> Order | None:
    """Ask the broker for the order, again every half second for ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while True:
        found = broker.order_by_client_id(client_order_id)
        if found is not None or time.monotonic() >= deadline:
            return found
        sleep(0.5)
