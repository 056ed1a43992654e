"""The NYSE trading calendar the sim lives by: which days trade, and when sessions open and close.

Regular sessions run 09:30-16:00 America/New_York. Full-day closures are the
``holidays`` package's NYSE financial calendar (which also knows the one-off closures
such as national days of mourning), as ``nyse_closures`` lists it. Three days close
early at 13:00 when they are trading days: the day after Thanksgiving, Christmas Eve
and July 3.

The sim never reads the wall clock; every function here takes the instant it is
asked about. Instants are timezone-aware; results come back in New York time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from trader.sim.nyse_closures import CLOSURES

NEW_YORK = ZoneInfo("America/New_York")
REGULAR_OPEN = time(9, 30)
REGULAR_CLOSE = time(16, 0)
EARLY_CLOSE = time(13, 0)
# The calendar covers these years; history and clocks outside them are refused.
FIRST_YEAR = 2000
LAST_YEAR = 2045


@dataclass(frozen=True, slots=True)
class Session:
    """One trading day and its regular-hours open and close (New York time)."""

    day: date
    open: datetime
    close: datetime

    @property
    def is_early_close(self) -> bool:
        return self.close.time() != REGULAR_CLOSE


def _check_year(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day} is outside the sim calendar ({FIRST_YEAR}-{LAST_YEAR})")


def is_trading_day(day: date) -> bool:
    """Whether the NYSE holds a regular session on ``day``."""
    _check_year(day)
    return day.weekday() < 5 and day not in CLOSURES


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


def _early_close(day: date) -> bool:
    return day in (
        _thanksgiving(day.year) + timedelta(days=1),
        date(day.year, 12, 24),
        date(day.year, 7, 3),
    )


@lru_cache(maxsize=20000)
def session(day: date) -> Session | None:
    """The session held on ``day``, or None when the market stays shut."""
    if not is_trading_day(day):
        return None
    close = EARLY_CLOSE if _early_close(day) else REGULAR_CLOSE
    return Session(
        day,
        datetime.combine(day, REGULAR_OPEN, NEW_YORK),
        datetime.combine(day, close, NEW_YORK),
    )


def sessions_between(start: date, end: date) -> Iterator[Session]:
    """Every session from ``start`` to ``end``, both included, oldest first."""
    day = start
    while day <= end:
        found = session(day)
        if found is not None:
            yield found
        day += timedelta(days=1)


@lru_cache(maxsize=8)
def trading_days(start: date, end: date) -> tuple[date, ...]:
    """The trading days from ``start`` to ``end`` inclusive; cached for the price history."""
    if start <= end:
        _check_year(start)
        _check_year(end)
    days, day, one = [], start, timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in CLOSURES:  # is_trading_day, the years checked
            days.append(day)
        day += one
    return tuple(days)


def local(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the sim only deals in timezone-aware instants")
    return instant.astimezone(NEW_YORK)


def current_session(instant: datetime) -> Session | None:
    """The session in progress at ``instant`` (open included, close excluded), if any."""
    found = session(local(instant).date())
    if found is not None and found.open <= instant < found.close:
        return found
    return None


def is_open(instant: datetime) -> bool:
    return current_session(instant) is not None


def next_session(instant: datetime) -> Session:
    """The first session whose open is strictly after ``instant``."""
    day = local(instant).date()
    while True:
        found = session(day)
        if found is not None and found.open > instant:
            return found
        day += timedelta(days=1)


def latest_started_session(instant: datetime) -> Session:
    """The most recent session that had opened by ``instant`` (it may still be running)."""
    day = local(instant).date()
    while True:
        found = session(day)
        if found is not None and found.open <= instant:
            return found
        day -= timedelta(days=1)


def previous_session(day: date) -> Session:
    """The last session strictly before ``day``."""
    day -= timedelta(days=1)
    while (found := session(day)) is None:
        day -= timedelta(days=1)
    return found


def next_open(instant: datetime) -> datetime:
    return next_session(instant).open


def next_close(instant: datetime) -> datetime:
    """The close of the running session, else that of the next one."""
    running = current_session(instant)
    return running.close if running is not None else next_session(instant).close


def events_between(start: datetime, end: datetime) -> Iterator[tuple[datetime, str, Session]]:
    """Opens and closes in ``(start, end]``, in time order, as (instant, "open"|"close", session)."""
    day = local(start).date()
    last = local(end).date()
    while day <= last:
        found = session(day)
        if found is not None:
            for instant, kind in ((found.open, "open"), (found.close, "close")):
                if start < instant <= end:
                    yield instant, kind, found
        day += timedelta(days=1)
