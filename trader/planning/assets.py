"""The broker's asset records for a plan, read at most once a trading day.

A plan needs, for every held or categorised symbol, whether the broker knows it,
trades it and takes fractional orders. Those facts change rarely, so they are cached
in the store for the trading day (New York date) they were read on. On a day's first
plan the missing symbols are read one request each when they are few, or all at
once from the list of active assets when they are many (``LIST_ABOVE``); a symbol
not in that list is then asked alone, to tell an inactive asset from an unknown one.
Every later plan that day costs no asset request at all, however many positions.
"""

from __future__ import annotations

from datetime import date

from trader.broker.protocol import Broker
from trader.core.domain import Asset
from trader.errors import NotFound
from trader.store import Store

LIST_ABOVE = 20  # more missing symbols than this: one list request instead of one each


def assets_for(broker: Broker, store: Store, symbols: list[str], today: date) -> dict[str, Asset]:
    """The assets the broker knows among ``symbols``; unknown symbols are left out."""
    known = store.cached_assets(symbols, today)
    missing = [s for s in symbols if s not in known]
    if missing:
        read = _read(broker, missing)
        store.cache_assets(read, today)
        known.update(read)
    return {symbol: asset for symbol, asset in known.items() if asset is not None}


def _read(broker: Broker, symbols: list[str]) -> dict[str, Asset | None]:
    found: dict[str, Asset | None] = {}
    if len(symbols) > LIST_ABOVE:
        active = {asset.symbol: asset for asset in broker.assets()}
        found = {s: active[s] for s in symbols if s in active}
    for symbol in symbols:
        if symbol not in found:
            try:
                found[symbol] = broker.asset(symbol)
            except NotFound:
                found[symbol] = None
    return found
