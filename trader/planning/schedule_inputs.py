"""The schedule's inputs: the config's entries, the trading days, the last check.

Trading days come from the broker's calendar endpoint (NYSE sessions and holidays);
the hand-kept ``manual`` account has no broker, so there they are the weekdays less
the NYSE holidays of the ``holidays`` package.
"""

from __future__ import annotations

from datetime import date, timedelta

from trader.broker.protocol import Broker
from trader.core.schedule import ScheduleEntry, default_entries
from trader.settings import Settings

PAST = timedelta(days=100)
FUTURE = timedelta(days=130)


def schedule_entries(settings: Settings) -> tuple[ScheduleEntry, ...]:
    rebalancing = settings.rebalancing
    if rebalancing.calendar_schedule:
        return tuple(
            ScheduleEntry(entry.frequency, entry.day) for entry in rebalancing.calendar_schedule
        )
    return default_entries(rebalancing.check_frequency)


def broker_trading_days(broker: Broker, today: date) -> set[date]:
    return {day.day for day in broker.calendar(today - PAST, today + FUTURE)}


def weekday_trading_days(today: date) -> set[date]:
    import holidays  # slow to import, and a broker's calendar needs none of it

    closed = holidays.financial_holidays("NYSE", years=range(today.year - 1, today.year + 2))
    days = set()
    day = today - PAST
    while day <= today + FUTURE:
        if day.weekday() < 5 and day not in closed:
            days.add(day)
        day += timedelta(days=1)
    return days


def describe(entries: tuple[ScheduleEntry, ...]) -> str:
    return ", ".join(f"{e.frequency} on {e.day.replace('_', ' ')}" for e in entries)
