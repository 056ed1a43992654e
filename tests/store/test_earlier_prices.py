"""An earlier sync's prices, the second observation a trailing stop may be confirmed by:
the latest sync strictly between two times, or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.store.conftest import T0


def test_the_latest_sync_within_the_window_gives_its_prices(store, account_key, samples):
    def at(minutes: int, price: str):
        positions = tuple(
            replace(p, current_price=Decimal(price)) for p in samples.snapshot().positions
        )
        store.record_sync(account_key, samples.snapshot(minutes=minutes, positions=positions))

    at(0, "100.5")
    at(10, "101.25")
    at(20, "99")  # the current sync itself: not earlier than itself
    now = T0 + timedelta(minutes=20)
    assert store.earlier_prices(account_key, now - timedelta(minutes=30), now) == {
        "BND": Decimal("101.25"),
        "VTI": Decimal("101.25"),
    }
    assert store.earlier_prices(account_key, now - timedelta(minutes=5), now) == {}
