"""The crontab lines of ``trader schedule --print-cron``.

cron starts commands with almost no environment and in the user's home folder: the
lines carry what this command was configured with (``TRADER_HOME``,
``TRADER_DATABASE_URL``, ``TRADER_CONFIG``, ``APCA_API_BASE_URL``) as absolute paths,
create the log's folder, and escape ``%``, which cron would turn into a newline. A
database URL with a password and the broker's keys are secrets: they are never
printed, only named, for the user to put in cron's environment.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path

from trader.cli.cron_clock import GUARD, time_fields

CARRIED = ("TRADER_DATABASE_URL", "TRADER_CONFIG", "APCA_API_BASE_URL")


def _absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute (cron starts elsewhere); others unchanged."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_absolute():
            return parsed.set(database=str(path.resolve())).render_as_string(hide_password=False)
    return url


def carried_environment() -> tuple[dict[str, str], list[str]]:
    """The variables to set on the cron line, and the names of those that must be set in
    cron's environment by hand because they hold a secret."""
    from trader.store.urls import secrets_of

    values: dict[str, str] = {}
    secret: list[str] = []
    for name in CARRIED:
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        if name == "TRADER_DATABASE_URL":
            if secrets_of(value):  # a password in the user info or the query
                secret.append(name)
                continue
            with contextlib.suppress(Exception):  # not a URL trader can use: `run` says so
                value = _absolute_sqlite(value)
        elif name == "TRADER_CONFIG":
            value = str(Path(value).resolve())
        values[name] = value
    return values, secret


def cron_command(command: str, home: Path, config: Path | None) -> str:
    """The shell command of the crontab line (before cron's ``%`` escaping)."""
    home = home.resolve()
    values, _ = carried_environment()
    assignments = " ".join(
        f"{name}={shlex.quote(value)}"
        for name, value in {"TRADER_HOME": str(home), **values}.items()
    )
    config_flag = f" --config {shlex.quote(str(config.resolve()))}" if config else ""
    folder = shlex.quote(str(Path.cwd()))
    log = shlex.quote(str(home / "run.log"))
    return (
        f"cd {folder} && mkdir -p -m 700 {shlex.quote(str(home))} && {assignments} {command}"
        f"{config_flag} run >> {log} 2>&1"
    )


def cron_lines(
    what: str,
    command: str,
    home: Path,
    config: Path | None,
    *,
    zone: tzinfo,
    zone_name: str,
    years: Iterable[int],
) -> list[str]:
    """Every line to paste into ``crontab -e``: comments and the entries, with their time
    fields in ``zone``, the zone cron reads them in (see ``cron_clock``)."""
    _, secret = carried_environment()
    fields, guarded = time_fields(zone, years)
    if guarded:
        when = [
            f"# cron reads the times below in {zone_name}: 9:35 New York falls at these",
            "# local times over the year, and the command runs only when New York's clock",
            "# reads a weekday's 9 o'clock (CRON_TZ is not used: Debian's cron ignores it).",
        ]
    else:
        when = [f"# cron reads the times below in {zone_name}, New York's clock."]
    lines = [
        f"# trader: {what}.",
        "# cron runs every weekday at 9:35 New York time; `trader run` decides (holidays move",
        "# a check to the next trading day) and exits 20 when a plan waits for you.",
        *when,
        "# cron has none of your shell's environment: the line sets the home folder, database",
        "# and config this command was given. Broker accounts also need APCA_API_KEY_ID and",
        "# APCA_API_SECRET_KEY in cron's environment (set them at the top of the crontab, or",
        "# source a file only you can read); they are secrets and never printed here.",
    ]
    for name in secret:
        lines.append(f"# {name} holds a password: set it in cron's environment yourself.")
    entry = (GUARD if guarded else "") + cron_command(command, home, config)
    lines.extend(f"{field} " + entry.replace("%", "\\%") for field in fields)
    return lines
