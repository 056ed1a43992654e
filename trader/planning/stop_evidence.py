"""The second source a trailing stop needs before it sells: the price is confirmed.

A plan's price of a holding is one number from one feed. A stop sells the whole holding
on it, so it must not be a bad print. A price is **confirmed** when another source
agrees with it within ``CONFIRM_BAND`` (1%):

- the midpoint of the latest quote (bids and offers, not the last trade); or
- the same holding's price at an earlier sync within ``OBSERVED_WITHIN`` (30 minutes):
  two observations minutes apart (``trader sync``, then ``trader plan``).

The confirmed price is the higher of the two that agree, so both must be at or below
the stop's trigger. A holding without one is absent from the map the engine gets, and
its stop does not fire on this plan (the plan says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from trader.store import Store

CONFIRM_BAND = Decimal("0.01")
OBSERVED_WITHIN = timedelta(minutes=30)


def agreeing(price: Decimal, others: list[Decimal]) -> Decimal | None:
    """The price as confirmed by the first of ``others`` within the band, else None."""
    for other in others:
        if abs(other - price) <= price * CONFIRM_BAND:
            return max(price, other)
    return None


def confirmed_prices(
    store: Store,
    account_key: int,
    prices: Mapping[str, Decimal],
    midpoints: Mapping[str, Decimal],
    taken_at: datetime,
) -> dict[str, Decimal]:
    """Each holding's price confirmed by a second source (``midpoints``: the quotes' from
    the plan's market snapshot); unconfirmed ones are left out."""
    if not prices:
        return {}
    earlier = store.earlier_prices(account_key, taken_at - OBSERVED_WITHIN, taken_at)
    found = {}
    for symbol, price in prices.items():
        sources = [p for p in (midpoints.get(symbol), earlier.get(symbol)) if p is not None]
        confirmed = agreeing(price, sources)
        if confirmed is not None:
            found[symbol] = confirmed
    return found
