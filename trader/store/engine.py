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
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

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
            engine = create_engine(parsed)
            _configure_sqlite(engine)
            return engine
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (SQLAlchemyError, ValueError, TypeError, ImportError) as exc:
        raise storage_error("cannot use database", url, exc) from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
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
    return StorageError(f"{action} {mask_url(url)}: {reason}")
