"""The store: what the rest of trader records and reads back, as domain values.

``open_store(url)`` connects, brings the schema up to date and hands back a
``Store``. Every write is one transaction: ``record_sync`` in particular writes
the snapshot, its positions, its open orders and the new fills together or not
at all. Any database failure surfaces as ``StorageError``.

A ``Store`` is composed of small repositories, one module each: accounts, syncs and
fills (``accounts``); peaks, scores, assets and closes (``caches``); the event log
(``event_log``); plans and their executions (``plans``); corporate actions
(``corporate``); the Telegram bot's tokens, offset and pause (``bot``); withdrawals set
aside (``withdrawals``). This module holds the connection and the one transaction helper
they share.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlmodel import Session

from trader.errors import StorageError
from trader.store.accounts import AccountRecords
from trader.store.bot import BotRecords
from trader.store.caches import CacheRecords
from trader.store.corporate import CorporateActionRecords
from trader.store.engine import create_engine_for, for_writing, is_read_only, storage_error
from trader.store.event_log import EventRecords
from trader.store.migrate import upgrade_to_head
from trader.store.plans import PlanRecords
from trader.store.urls import mask_url
from trader.store.withdrawals import WithdrawalRecords


def open_store(url: str) -> Store:
    """Connect to ``url``, migrate it to the newest schema if needed, and return a Store."""
    engine = create_engine_for(url)
    try:
        upgrade_to_head(engine)
    except StorageError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise storage_error("cannot open database", url, exc) from exc
    return Store(engine, url)


class Store(
    AccountRecords,
    CacheRecords,
    EventRecords,
    PlanRecords,
    CorporateActionRecords,
    BotRecords,
    WithdrawalRecords,
):
    """Reads and writes trader's records; use ``open_store`` to get one."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._writer = for_writing(engine)

    def __repr__(self) -> str:
        return f"Store({mask_url(self.url)!r})"

    @property
    def read_only(self) -> bool:
        """Whether the database was opened read-only (a SQLite file in a read-only home)."""
        return is_read_only(self.url)

    @contextmanager
    def _session(self, action: str, *, write: bool = False) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error.

        Writing sessions take SQLite's write lock up front: they read before they
        write, and a lock upgrade midway would fail at once if another process wrote.
        """
        bind = self._writer if write else self.engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            # A value the column types refuse (naive time, inexact number) arrives as a
            # StatementError around the ValueError; any other ValueError is a bug, not storage.
            raise storage_error(f"cannot {action} in", self.url, _unwrap(exc)) from exc

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _unwrap(exc: BaseException) -> BaseException:
    """A refused bind value arrives wrapped in a StatementError; report the value's error."""
    if isinstance(exc, StatementError) and isinstance(exc.orig, ValueError | TypeError):
        return exc.orig
    return exc
