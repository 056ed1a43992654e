"""The symbols a trailing stop sold lately, and the day it did: the plan does not buy them
again for ``risk_management.stop_reentry_days``.

A stop is the plan's own sale (``trailing_stop_mode: plan``: an order of kind
``trailing_stop``, in the store) or, with ``trailing_stop_mode: broker``, a
``trailing_stop`` order the broker filled (ours or the user's). The day is the day of
its last fill (from the synced fill activities), else the day the order was made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from trader.broker.protocol import Broker
from trader.core.domain import Side
from trader.core.schedule import market_date
from trader.settings import Settings
from trader.store import Store


def stopped_symbols(
    settings: Settings, broker: Broker, store: Store, account_key: int, today: date
) -> dict[str, date]:
    """Symbol -> the last day a trailing stop sold it, within the re-entry wait."""
    risk = settings.risk_management
    if risk.trailing_stop is None or not risk.stop_reentry_days:
        return {}
    since = today - timedelta(days=risk.stop_reentry_days)
    fill_days: dict[str, date] = {}
    for fill in store.fills(account_key):
        fill_days[fill.order_id] = market_date(fill.transaction_time)  # oldest first: the last
    sold: list[tuple[str, date]] = []
    for order in store.stop_sales(account_key):
        when = order.updated_at or order.submitted_at
        day = fill_days.get(order.broker_order_id or "") or (market_date(when) if when else None)
        if day is not None:
            sold.append((order.symbol, day))
    if risk.trailing_stop_mode == "broker":
        after = datetime.combine(since, time(), tzinfo=UTC)
        for order in broker.orders("closed", after=after):
            if order.order_type == "trailing_stop" and order.side is Side.SELL and order.filled_qty:
                day = fill_days.get(order.order_id) or market_date(order.created_at)
                sold.append((order.symbol, day))
    found: dict[str, date] = {}
    for symbol, day in sold:
        if day >= since and day > found.get(symbol, date.min):
            found[symbol] = day
    return found
