"""Alpaca's order statuses in the plan's words: only final ones end an order's story."""

from __future__ import annotations

import pytest

from trader.app.sync import WORKING
from trader.core.staging import FINAL_STATUSES
from trader.execution.submit import our_status


@pytest.mark.parametrize(
    "broker_status", ["new", "accepted", "pending_new", "done_for_day", "held", "calculated"]
)
def test_orders_the_broker_still_works_stay_working(broker_status):
    # done_for_day is not final: the order gets updates in the next session.
    ours = our_status(broker_status)
    assert ours == "accepted"
    assert ours not in FINAL_STATUSES and ours in WORKING


@pytest.mark.parametrize(
    ("broker_status", "ours"),
    [
        ("filled", "filled"),
        ("canceled", "cancelled"),
        ("expired", "expired"),
        ("rejected", "rejected"),
    ],
)
def test_final_statuses(broker_status, ours):
    assert our_status(broker_status) == ours
    assert ours in FINAL_STATUSES
