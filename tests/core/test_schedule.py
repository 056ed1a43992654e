"""Check days on the NYSE calendar: holidays, month and quarter starts, catching up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trader.core.schedule import ScheduleEntry, check_day, check_due, next_check
from trader.core.scores import cheapness_score
from trader.planning.schedule_inputs import weekday_trading_days

TRADING = weekday_trading_days(date(2026, 12, 15)) | weekday_trading_days(date(2027, 3, 1))
WEEKLY = (ScheduleEntry("weekly", "Monday"),)
MONTHLY = (ScheduleEntry("monthly", "first_trading_day"),)
QUARTERLY = (ScheduleEntry("quarterly", "first_trading_day"),)


@pytest.mark.parametrize(
    ("entries", "today", "last", "due"),
    [
        (WEEKLY, date(2026, 11, 23), None, True),  # Monday
        (WEEKLY, date(2026, 11, 24), date(2026, 11, 23), False),  # checked on Monday
        (WEEKLY, date(2026, 11, 24), None, True),  # Monday was missed: catch up
        (WEEKLY, date(2026, 11, 24), date(2026, 11, 20), True),  # last week's check
        (WEEKLY, date(2026, 11, 28), None, False),  # Saturday
        # Martin Luther King Day, Monday 18 January 2027: the check moves to Tuesday.
        (WEEKLY, date(2027, 1, 18), None, False),
        (WEEKLY, date(2027, 1, 19), date(2027, 1, 11), True),
        # 1 January 2027 is a Friday holiday: the month's first trading day is Monday the 4th.
        (MONTHLY, date(2027, 1, 4), date(2026, 12, 1), True),
        (MONTHLY, date(2027, 1, 5), date(2027, 1, 4), False),
        (MONTHLY, date(2026, 12, 31), date(2026, 12, 1), False),
        (QUARTERLY, date(2026, 10, 1), date(2026, 7, 1), True),
        (QUARTERLY, date(2026, 11, 24), date(2026, 10, 1), False),
        (QUARTERLY, date(2027, 1, 4), date(2026, 10, 1), True),
        ((ScheduleEntry("daily"),), date(2026, 11, 24), date(2026, 11, 23), True),
        ((ScheduleEntry("daily"),), date(2026, 11, 24), date(2026, 11, 24), False),
        ((ScheduleEntry("daily"),), date(2026, 11, 26), None, False),  # Thanksgiving
    ],
)
def test_a_check_is_due_on_its_check_day_or_the_first_run_after_it(entries, today, last, due):
    assert check_due(entries, today, TRADING, last).due is due


def test_a_monthly_weekday_is_its_first_occurrence_in_the_month():
    entry = ScheduleEntry("monthly", "Wednesday")
    assert check_day(entry, date(2026, 12, 20), TRADING) == date(2026, 12, 2)
    assert check_day(ScheduleEntry("weekly", "first_trading_day"), date(2026, 11, 27), TRADING) == (
        date(2026, 11, 23)
    )


def test_the_next_check_day():
    assert next_check(WEEKLY, date(2026, 11, 24), TRADING, date(2026, 11, 23)) == date(2026, 11, 30)
    assert next_check(MONTHLY, date(2026, 12, 2), TRADING, date(2026, 12, 1)) == date(2027, 1, 4)


def test_any_due_entry_makes_the_check_due():
    entries = (ScheduleEntry("weekly", "Friday"), ScheduleEntry("monthly", "first_trading_day"))
    decision = check_due(entries, date(2026, 12, 1), TRADING, date(2026, 11, 27))
    assert decision.due and decision.check_day == date(2026, 12, 1)


D = Decimal


@pytest.mark.parametrize(
    ("closes", "price", "score"),
    [
        ([D(100)] * 60, None, D(25)),  # at its average and at its high
        ([D(100)] * 60, D(90), D(75)),  # 10% below both
        ([D(100)] * 60, D(80), D(100)),  # 20% below both (capped)
        ([D(100)] * 30 + [D(110)] * 30, D(125), D(0)),  # well above its average, at its high
        ([D(100)] * 49, D(100), None),  # too short a history
    ],
)
def test_the_built_in_score(closes, price, score):
    assert cheapness_score(closes, price) == score
