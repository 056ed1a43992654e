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
# A query parameter that carries a credential: libpq takes ``?password=``, and
# ``sslpassword``, tokens and secrets are no better printed.
_SECRET_IN_QUERY = re.compile(
    r"(?P<head>[?&][^=&#]*(?:pass|pwd|secret|token)[^=&#]*=)(?P<secret>[^&#]*)", re.IGNORECASE
)


def default_database_url(home: Path) -> str:
    """``$TRADER_DATABASE_URL`` if set, else a SQLite file in ``home`` (created 0700 if
    missing; a ConfigError when it cannot be)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    from trader.adapters.home import make_home

    make_home(home)
    return f"sqlite:///{home}/{DATABASE_FILE}"


def mask_url(url: str) -> str:
    """The URL with any password, in its user info or its query, replaced by ``***``,
    fit to show a user."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        shown = _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", url)
    return _SECRET_IN_QUERY.sub(r"\g<head>***", shown)


def secrets_of(url: str) -> list[str]:
    """The URL's password and query credentials, as written and decoded, so they can be
    scrubbed from a driver's error message."""
    from urllib.parse import unquote_plus

    found: list[str] = []
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        match = _PASSWORD_IN_URL.search(url)
        password = match.group("password") if match else None
    if password:
        found.append(str(password))
    for match in _SECRET_IN_QUERY.finditer(url):
        found.extend((match.group("secret"), unquote_plus(match.group("secret"))))
    # The longest first, so that scrubbing one never leaves part of another.
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


def is_sqlite(url: str) -> bool:
    """True for any ``sqlite`` URL, whatever its driver suffix."""
    return url.split(":", 1)[0].split("+", 1)[0].lower() == "sqlite"
