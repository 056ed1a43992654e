"""When the crontab line fires: 9:35 New York time, on the clock cron reads.

``CRON_TZ`` is a cronie extension: Debian's and Ubuntu's default cron ignore it and read
every time field in the machine's own zone (``/etc/localtime``). So the lines name no
zone. In New York's zone, the line is plain ``35 9 * * 1-5``. In any other zone, 9:35 New
York falls at a different local hour in summer and in winter (the two zones change their
clocks on different days, or one never does), and on another local weekday east of
about UTC+10: the line fires at every local hour and minute where a weekday's 9:35 New
York falls in the year, on any day, and a guard lets the command through only when New
York's clock reads a weekday's 9 o'clock:

    35 13,14 * * * n=$(TZ=America/New_York date +%u%H) && [ "${n#?}" = 09 ] && [ "$n" -le 509 ] && cd ...

(with every ``%`` escaped for cron).

The guard needs the time-zone database (Debian's ``tzdata``) for ``date``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NEW_YORK = "America/New_York"
RUN_AT = time(9, 35)  # five minutes after the open: prices have settled
LOCALTIME = Path("/etc/localtime")
# `date +%u%H` in New York is 109 (Monday, 9 o'clock) to 509 (Friday): a weekday's 9
# o'clock has %H 09, so the number ends in 09 and lies between them.
GUARD = f'n=$(TZ={NEW_YORK} date +%u%H) && [ "${{n#?}}" = 09 ] && [ "$n" -le 509 ] && '


def machine_zone() -> tuple[tzinfo, str]:
    """The zone cron reads its time fields in (the machine's, ``/etc/localtime``), and its
    name; UTC when the machine names none."""
    try:
        target = LOCALTIME.resolve(strict=True)
        parts = target.parts
        if "zoneinfo" in parts:
            key = "/".join(parts[parts.index("zoneinfo") + 1 :])
            return ZoneInfo(key), key
        with LOCALTIME.open("rb") as stream:
            return ZoneInfo.from_file(stream, key=str(LOCALTIME)), str(LOCALTIME)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC"), "UTC (the machine names no zone)"


def zone_named(name: str) -> ZoneInfo:
    """The zone ``name`` (e.g. Europe/Paris); ``ValueError`` naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: give a name such as UTC or Europe/Paris"
        ) from None


def weekday_runs(years: Iterable[int]) -> list[datetime]:
    """9:35 New York on every weekday of ``years``."""
    zone = ZoneInfo(NEW_YORK)
    runs = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            if day.weekday() < 5:
                runs.append(datetime.combine(day, RUN_AT, tzinfo=zone))
            day += timedelta(days=1)
    return runs


def time_fields(zone: tzinfo, years: Iterable[int]) -> tuple[list[str], bool]:
    """The five time fields of each line for cron in ``zone``, and whether the command
    needs the New York guard (it does unless the zone keeps New York's clock)."""
    runs = weekday_runs(years)
    local = [run.astimezone(zone) for run in runs]
    if all(
        (at.hour, at.minute, at.date()) == (run.hour, run.minute, run.date())
        for at, run in zip(local, runs, strict=True)
    ):
        return [f"{RUN_AT.minute} {RUN_AT.hour} * * 1-5"], False
    hours_by_minute: dict[int, set[int]] = {}
    for at in local:
        hours_by_minute.setdefault(at.minute, set()).add(at.hour)
    fields = [
        f"{minute} {','.join(str(h) for h in sorted(hours))} * * *"
        for minute, hours in sorted(hours_by_minute.items())
    ]
    return fields, True
