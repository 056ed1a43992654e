"""``trader schedule --print-cron`` prints lines that fire at 9:35 New York on a cron that
reads its times in the machine's zone, as Debian's does (it ignores ``CRON_TZ``)."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

NEW_YORK = ZoneInfo("America/New_York")


def entries(out: str) -> list[tuple[set[int], set[int], str, str]]:
    """Each crontab entry: its minutes, its hours, its weekday field and its command."""
    found = []
    for line in out.splitlines():
        if not line or line.startswith("#"):
            continue
        minute, hour, day, month, weekday, command = line.split(" ", 5)
        assert (day, month) == ("*", "*"), line
        found.append(
            (
                {int(m) for m in minute.split(",")},
                {int(h) for h in hour.split(",")},
                weekday,
                command,
            )
        )
    return found


def fires(entry, at: datetime) -> bool:
    minutes, hours, weekday, _ = entry
    days = range(1, 6) if weekday == "1-5" else range(0, 8)
    return at.minute in minutes and at.hour in hours and at.isoweekday() % 7 in days


def guard(command: str) -> str:
    """The shell words before the command proper (empty when there is no guard)."""
    return command.split("cd ", 1)[0].replace("\\%", "%")


def fake_date(tmp_path: Path, answer: str) -> dict[str, str]:
    """An environment whose `date` prints ``answer``: the guard's view of New York's clock."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    script = folder / "date"
    script.write_text(f"#!/bin/sh\necho {answer}\n")
    script.chmod(0o755)
    return {"PATH": f"{folder}:{os.environ['PATH']}"}


def lets_through(words: str, env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["sh", "-c", words + "echo through"], capture_output=True, text=True, env=env
    )
    return done.stdout.strip() == "through"


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/London", "Asia/Kolkata", "Pacific/Auckland", "America/Los_Angeles"]
)
def test_the_lines_fire_at_935_new_york_on_every_weekday_and_only_then(
    trader_main, config_file, tmp_path, zone
):
    result = trader_main(
        "--config", str(config_file()), "schedule", "--print-cron", "--cron-tz", zone
    )
    assert result.code == 0, result.err
    assert "CRON_TZ" not in "\n".join(
        line for line in result.out.splitlines() if not line.startswith("#")
    )
    found = entries(result.out)
    local = ZoneInfo(zone)
    day = date(datetime.now(UTC).year, 1, 1)
    while day.year == datetime.now(UTC).year:
        run = datetime(day.year, day.month, day.day, 9, 35, tzinfo=NEW_YORK)
        if run.weekday() < 5:
            at = run.astimezone(local)
            assert any(fires(entry, at) for entry in found), (zone, run)
        day += timedelta(days=1)
    # The guard lets a weekday's 9 o'clock in New York through, and nothing else.
    words = guard(found[0][3])
    assert "TZ=America/New_York date +%u%H" in words
    for answer, through in [("109", True), ("509", True), ("609", False), ("709", False)]:
        assert lets_through(words, fake_date(tmp_path, answer)) is through, answer
    for answer in ("108", "110", "310", "519", "209x"):
        assert not lets_through(words, fake_date(tmp_path, answer)), answer


def test_the_guard_reads_new_yorks_clock_now(trader_main, config_file):
    result = trader_main(
        "--config", str(config_file()), "schedule", "--print-cron", "--cron-tz", "UTC"
    )
    words = guard(entries(result.out)[0][3])
    now = datetime.now(NEW_YORK)
    expected = now.hour == 9 and now.weekday() < 5
    assert lets_through(words, dict(os.environ)) is expected


def test_in_new_yorks_zone_the_line_is_plain(trader_main, config_file):
    result = trader_main(
        "--config", str(config_file()), "schedule", "--print-cron", "--cron-tz", "America/New_York"
    )
    assert result.code == 0, result.err
    (entry,) = entries(result.out)
    assert entry[:3] == ({35}, {9}, "1-5") and entry[3].startswith("cd ")


def test_an_unknown_zone_is_one_line(trader_main, config_file):
    result = trader_main(
        "--config", str(config_file()), "schedule", "--print-cron", "--cron-tz", "Mars/Base"
    )
    assert result.code == 2
    assert result.err.strip() == (
        "error: --cron-tz: unknown time zone 'Mars/Base': give a name such as UTC or Europe/Paris"
    )


@pytest.mark.skipif("TZ" in os.environ, reason="cron reads /etc/localtime, not TZ")
def test_by_default_the_lines_fire_at_935_new_york_on_this_machines_clock(trader_main, config_file):
    result = trader_main("--config", str(config_file()), "schedule", "--print-cron")
    assert result.code == 0, result.err
    found = entries(result.out)
    year = datetime.now(UTC).year
    for month in range(1, 13):
        run = datetime(year, month, 15, 9, 35, tzinfo=NEW_YORK)
        while run.weekday() >= 5:
            run += timedelta(days=1)
        at = run.astimezone()  # the machine's own zone, as cron reads it
        assert any(fires(entry, at) for entry in found), (run, at, result.out)
