"""When a calendar check is due: the ``calendar`` and ``hybrid`` methods' clock.

A schedule entry names a frequency (daily, weekly, monthly, quarterly) and a day: a
weekday, or ``first_trading_day``. Each period (the day, the ISO week, the month, the
quarter) has one **check day**: the first trading day on or after the named day —
so a check set for a holiday Monday moves to Tuesday. For ``monthly`` a weekday means
that weekday's first occurrence in the month; for ``quarterly``, in the quarter's
first month. A check is due on a trading day on or after the period's check day when
no check was made since that check day, so a run missed on the day (the machine was
off) catches up at the next one within the period. With several entries, any due
entry makes the check due. Without entries, ``check_frequency`` alone decides, on
Mondays for weekly and on the first trading day for monthly and quarterly.

``today`` and the trading days are the market's (the broker's clock and calendar),
never the wall clock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MARKET_TIME_ZONE = ZoneInfo("America/New_York")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")


def market_date(moment: datetime) -> date:
    """The market's date (New York) of an aware instant: a fill, a bar, the broker's clock."""
    return moment.astimezone(MARKET_TIME_ZONE).date()


def market_time(moment: datetime) -> str:
    """An aware instant for people: New York time, with its zone named (EST or EDT)."""
    return moment.astimezone(MARKET_TIME_ZONE).strftime("%Y-%m-%d %H:%M %Z")


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
FIRST_TRADING_DAY = "first_trading_day"


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    frequency: str
    day: str = "Monday"

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(
                f"frequency: {self.frequency!r} is not one of {', '.join(FREQUENCIES)}"
            )
        if self.day not in (*WEEKDAYS, FIRST_TRADING_DAY):
            raise ValueError(f"day: {self.day!r} is not a weekday or {FIRST_TRADING_DAY}")


def default_entries(frequency: str) -> tuple[ScheduleEntry, ...]:
    day = "Monday" if frequency in ("daily", "weekly") else FIRST_TRADING_DAY
    return (ScheduleEntry(frequency, day),)


def period_of(frequency: str, day: date) -> tuple[int, ...]:
    """The period a day falls in: equal tuples are the same period."""
    if frequency == "daily":
        return (day.toordinal(),)
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return (year, week)
    if frequency == "monthly":
        return (day.year, day.month)
    if frequency == "quarterly":
        return (day.year, (day.month - 1) // 3)
    raise ValueError(f"check_frequency: {frequency!r} is not one of {', '.join(FREQUENCIES)}")


def calendar_due(frequency: str, last_rebalance: date | None, today: date) -> bool:
    """True when no rebalance was executed yet in today's period (no trading calendar)."""
    if last_rebalance is None:
        return True
    return period_of(frequency, last_rebalance) != period_of(frequency, today)


def _period_start(frequency: str, day: date) -> date:
    if frequency == "daily":
        return day
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    if frequency == "monthly":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _first_trading_on_or_after(start: date, end: date, trading: Collection[date]) -> date | None:
    day = start
    while day < end:
        if day in trading:
            return day
        day += timedelta(days=1)
    return None


def check_day(entry: ScheduleEntry, today: date, trading: Collection[date]) -> date | None:
    """The check day of the period ``today`` falls in, or None when the period has none."""
    start = _period_start(entry.frequency, today)
    if entry.frequency == "daily":
        return today if today in trading else None
    if entry.frequency == "weekly":
        end = start + timedelta(days=7)
        if entry.day != FIRST_TRADING_DAY:
            start += timedelta(days=WEEKDAYS.index(entry.day))
        return _first_trading_on_or_after(start, end, trading)
    end_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = (
        end_month
        if entry.frequency == "monthly"
        else _period_start("quarterly", start + timedelta(days=95))
    )
    if entry.day != FIRST_TRADING_DAY:
        offset = (WEEKDAYS.index(entry.day) - start.weekday()) % 7
        start += timedelta(days=offset)
    return _first_trading_on_or_after(start, end, trading)


@dataclass(frozen=True, slots=True)
class CheckDecision:
    due: bool
    reason: str
    check_day: date | None = None


def check_due(
    entries: Sequence[ScheduleEntry],
    today: date,
    trading: Collection[date],
    last_check: date | None,
) -> CheckDecision:
    """Whether a scheduled check is due today, and why (or why not)."""
    if today not in trading:
        return CheckDecision(False, f"{today} is not a trading day")
    reasons = []
    for entry in entries:
        day = check_day(entry, today, trading)
        what = f"{entry.frequency} check ({entry.day})"
        if day is None:
            reasons.append(f"the {what} has no trading day in this period")
        elif today < day:
            reasons.append(f"the {what} falls on {day}")
        elif last_check is not None and last_check >= day:
            reasons.append(f"the {what} of {day} was made on {last_check}")
        else:
            late = "" if day == today else f", catching up on {day}'s"
            return CheckDecision(True, f"the {what} is due today{late}", day)
    return CheckDecision(False, "; ".join(reasons) or "no schedule")


def next_check(
    entries: Sequence[ScheduleEntry],
    today: date,
    trading: Collection[date],
    last_check: date | None,
    horizon_days: int = 120,
) -> date | None:
    """The first trading day from today on which a check would be due."""
    for offset in range(horizon_days):
        day = today + timedelta(days=offset)
        if check_due(entries, day, trading, last_check).due:
            return day
    return None
