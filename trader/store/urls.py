"""Where the database lives, and how to name it in a message without leaking a password.

SQLite in the trader's home folder by default; PostgreSQL (or any URL SQLAlchemy
understands) when ``TRADER_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_URL_ENV = "TRADER_DATABASE_URL"
DATABASE_FILE = "trader.db"

# ``scheme://user:password@host`` — for URLs too broken for SQLAlchemy to parse.
_PASSWORD_IN_URL = re.compile(r"(?P<head>://[^:/@]*:)(?P<password>[^@]*)(?P<tail>@)")


def default_database_url(home: Path) -> str:
    """``$TRADER_DATABASE_URL`` if set, else a SQLite file in ``home`` (created if missing)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home}/{DATABASE_FILE}"


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, fit to show a user."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", url)


def password_of(url: str) -> str | None:
    """The URL's password, so it can be scrubbed from a driver's error message."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        found = _PASSWORD_IN_URL.search(url)
        password = found.group("password") if found else None
    return str(password) if password else None


def is_sqlite(url: str) -> bool:
    """True for any ``sqlite`` URL, whatever its driver suffix."""
    return url.split(":", 1)[0].split("+", 1)[0].lower() == "sqlite"
