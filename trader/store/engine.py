"""Creating the SQLAlchemy engine, and turning its failures into one readable line.

SQLite connections are set up for a small, always-on logger: write-ahead logging
(readers do not block the writer), foreign keys enforced (SQLite leaves them off
by default), and a busy timeout so two ``trader`` processes wait for each other
instead of failing at once.

The standard library's sqlite3 driver opens transactions only before INSERT,
UPDATE and DELETE, so DDL and reads would run outside them. Following the
SQLAlchemy documentation, the driver's own handling is switched off and a plain
``BEGIN`` is emitted whenever SQLAlchemy starts a transaction: migrations are
then atomic too. A connection with the execution option
``sqlite_begin="BEGIN IMMEDIATE"`` (see ``for_writing``) takes the write lock as
its transaction starts: a transaction that reads before it writes then waits its
turn, instead of failing when another process wrote in between.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from trader.adapters.home import is_writable_folder, private_database_file
from trader.errors import StorageError
from trader.store.urls import is_sqlite, mask_url, secrets_of

SQLITE_BUSY_TIMEOUT_MS = 30_000  # another trader may be migrating or writing: wait for it
POSTGRES_CONNECT_TIMEOUT_S = 10
_BEGIN_OPTION = "sqlite_begin"


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``; raises ``StorageError`` if the URL cannot be used at all."""
    try:
        parsed = make_url(url)
        if is_sqlite(url):
            return _sqlite_engine(parsed)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (SQLAlchemyError, ValueError, TypeError, ImportError) as exc:
        raise storage_error("cannot use database", url, exc) from exc


def _sqlite_engine(parsed: URL) -> Engine:
    """A SQLite engine; its file private (see ``home``), and opened read-only when its
    folder cannot be written (a read-only home: the reading commands still work)."""
    path = _sqlite_file(parsed)
    if path is not None:
        private_database_file(path)
    read_only = is_read_only(parsed)
    if read_only and path is not None:
        # immutable: no -shm to create, no lock to take, on a folder nobody writes.
        target = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(target, uri=True, check_same_thread=False),
        )
    else:
        engine = create_engine(parsed)
    _configure_sqlite(engine, read_only=read_only)
    return engine


def _sqlite_file(parsed: URL) -> Path | None:
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def is_read_only(url: str | URL) -> bool:
    """Whether ``url`` is an existing SQLite file in a folder that cannot be written (a
    read-only home): it is opened read-only, and only the reading commands work."""
    parsed = make_url(url) if isinstance(url, str) else url
    if not is_sqlite(parsed.drivername):
        return False
    path = _sqlite_file(parsed)
    return path is not None and path.is_file() and not is_writable_folder(path.parent)


def _configure_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not read_only:
                _use_wal(cursor)
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, far fewer fsyncs
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


def _use_wal(cursor: Any) -> None:
    """Put the database in WAL mode, once. Switching needs the database to itself and
    SQLite does not wait for that (no busy handler): when several commands open a new
    database at once, the others' switch is refused while one migrates, so it is tried
    again for as long as a write may wait."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def for_writing(engine: Engine) -> Engine:
    """The same engine, but its SQLite transactions take the write lock when they begin."""
    return engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})


def storage_error(action: str, url: str, exc: BaseException) -> StorageError:
    """``StorageError("<action> <masked url>: <first line of the cause>")``, password-free."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    reason = lines[0] if lines else type(cause).__name__
    for secret in secrets_of(url):
        reason = reason.replace(secret, "***")
    if "readonly database" in reason:
        reason = "it is read-only here (its folder cannot be written): only reading works"
    return StorageError(f"{action} {mask_url(url)}: {reason}")
