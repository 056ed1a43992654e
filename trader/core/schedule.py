"""Whether a calendar check is due: the ``calendar`` and ``hybrid`` methods' clock.

A period (daily, weekly, monthly, quarterly) is due when no rebalance has been
executed in the current one: the same day, the same ISO week, the same month, the
same quarter. ``today`` is the market's date (the broker's clock, not the wall clock),
so the local paper broker's own calendar decides in the demo and the tests.
"""

from __future__ import annotations

from datetime import date

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")


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
    """True when no rebalance was executed yet in today's period."""
    if last_rebalance is None:
        return True
    return period_of(frequency, last_rebalance) != period_of(frequency, today)
