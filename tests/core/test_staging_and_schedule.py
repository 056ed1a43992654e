"""Client order ids and calendar periods: small pure rules with exact answers."""

from __future__ import annotations

from datetime import date

import pytest

from trader.core.domain import Side
from trader.core.schedule import calendar_due, period_of
from trader.core.staging import CLIENT_ORDER_ID_MAX, client_order_id

UID = "0123456789abcdef0123456789abcdef"


def test_client_order_ids_are_stable_unique_and_short_enough():
    first = client_order_id(UID, 1, Side.SELL, "XLK")
    assert first == f"trader-{UID}-001-sell-XLK"
    assert client_order_id(UID, 1, Side.SELL, "XLK") == first
    assert client_order_id(UID, 2, Side.SELL, "XLK") != first
    assert len(client_order_id(UID, 999, Side.BUY, "BRK.B")) <= CLIENT_ORDER_ID_MAX


@pytest.mark.parametrize(("uid", "seq"), [("not-a-uid", 1), (UID, 0)])
def test_client_order_ids_refuse_bad_parts(uid, seq):
    with pytest.raises(ValueError):
        client_order_id(uid, seq, Side.BUY, "XLK")


@pytest.mark.parametrize(
    ("frequency", "last", "today", "due"),
    [
        ("daily", None, date(2026, 11, 24), True),
        ("daily", date(2026, 11, 24), date(2026, 11, 24), False),
        ("daily", date(2026, 11, 23), date(2026, 11, 24), True),
        # Monday 23 and Friday 27 November 2026 share ISO week 48.
        ("weekly", date(2026, 11, 23), date(2026, 11, 27), False),
        ("weekly", date(2026, 11, 27), date(2026, 11, 30), True),
        # Across a new year: 31 Dec 2026 (Thursday) and 1 Jan 2027 share ISO week 53.
        ("weekly", date(2026, 12, 31), date(2027, 1, 1), False),
        ("monthly", date(2026, 11, 2), date(2026, 11, 30), False),
        ("monthly", date(2026, 11, 30), date(2026, 12, 1), True),
        ("quarterly", date(2026, 10, 1), date(2026, 12, 31), False),
        ("quarterly", date(2026, 9, 30), date(2026, 10, 1), True),
    ],
)
def test_a_calendar_check_is_due_once_per_period(frequency, last, today, due):
    assert calendar_due(frequency, last, today) is due


def test_an_unknown_frequency_names_the_key():
    with pytest.raises(ValueError, match="check_frequency"):
        period_of("hourly", date(2026, 11, 24))
