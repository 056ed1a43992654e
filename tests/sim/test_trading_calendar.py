"""The NYSE calendar in the sim: holidays, early closes, weekends, and the clock's events."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from trader.sim import trading_calendar as cal

NY = cal.NEW_YORK


@pytest.mark.parametrize(
    ("day", "trading", "close"),
    [
        (date(2026, 11, 24), True, time(16)),
        (date(2026, 11, 26), False, None),  # Thanksgiving
        (date(2026, 11, 27), True, time(13)),  # the day after
        (date(2026, 11, 28), False, None),  # Saturday
        (date(2026, 11, 29), False, None),  # Sunday
        (date(2026, 12, 24), True, time(13)),  # Christmas Eve
        (date(2026, 12, 25), False, None),
        (date(2026, 7, 3), False, None),  # Independence Day observed on a Friday
        (date(2025, 7, 3), True, time(13)),
        (date(2026, 4, 3), False, None),  # Good Friday
        (date(2025, 1, 9), False, None),  # a national day of mourning
    ],
)
def test_sessions(day, trading, close):
    session = cal.session(day)
    assert (session is not None) == trading
    if session is not None:
        assert session.open.time() == time(9, 30)
        assert session.close.time() == close


def test_open_close_and_next_session():
    before_open = datetime(2026, 11, 25, 9, 0, tzinfo=NY)
    assert not cal.is_open(before_open)
    assert cal.next_open(before_open) == datetime(2026, 11, 25, 9, 30, tzinfo=NY)
    assert cal.is_open(datetime(2026, 11, 25, 9, 30, tzinfo=NY))
    assert not cal.is_open(datetime(2026, 11, 25, 16, 0, tzinfo=NY))
    friday_evening = datetime(2026, 11, 27, 13, 0, tzinfo=NY)
    assert cal.next_open(friday_evening) == datetime(2026, 11, 30, 9, 30, tzinfo=NY)
    assert cal.next_close(friday_evening) == datetime(2026, 11, 30, 16, 0, tzinfo=NY)


def test_events_between_list_opens_and_closes_in_order():
    events = list(
        cal.events_between(
            datetime(2026, 11, 24, 11, 0, tzinfo=NY), datetime(2026, 11, 27, 9, 30, tzinfo=NY)
        )
    )
    assert [(e[0].day, e[0].hour, e[1]) for e in events] == [
        (24, 16, "close"),
        (25, 9, "open"),
        (25, 16, "close"),
        (27, 9, "open"),
    ]


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.is_open(datetime(2026, 11, 24, 11, 0))


def test_the_closures_are_the_holidays_packages_nyse_calendar():
    import holidays

    from trader.sim.nyse_closures import CLOSURES

    listed = holidays.financial_holidays("NYSE", years=range(cal.FIRST_YEAR, cal.LAST_YEAR + 1))
    # When they part, regenerate trader/sim/nyse_closures.py (its docstring says how).
    assert sorted(CLOSURES ^ set(listed)) == []
    assert {day.year for day in CLOSURES} == set(range(cal.FIRST_YEAR, cal.LAST_YEAR + 1))
