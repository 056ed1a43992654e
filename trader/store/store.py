"""The store: what the rest of trader records and reads back, as domain values.

``open_store(url)`` connects, brings the schema up to date and hands back a
``Store``. Every write is one transaction: ``record_sync`` in particular writes
the snapshot, its positions, its open orders and the new fills together or not
at all. Any database failure surfaces as ``StorageError``.

Fills are deduplicated by activity id per account, so overlapping syncs are
harmless; ``last_fill_id`` gives the newest stored one for an incremental sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError, StatementError
from sqlmodel import Session, col, select

from trader.core.domain import AccountInfo, AccountMode, AccountSnapshot, Asset, Fill
from trader.errors import StorageError
from trader.store import convert
from trader.store.bot import BotRecords
from trader.store.corporate import CorporateActionRecords, drop_closes
from trader.store.engine import create_engine_for, for_writing, storage_error
from trader.store.events import detail_json, scrub_text
from trader.store.migrate import upgrade_to_head
from trader.store.plans import PlanRecords
from trader.store.tables import (
    AccountRow,
    AssetCacheRow,
    DailyCloseRow,
    DailyCloseSpanRow,
    EventRow,
    FillRow,
    PricePeakRow,
    ScoreRow,
    SnapshotForeignRow,
    SnapshotOrderRow,
    SnapshotPositionRow,
    SyncSnapshotRow,
)
from trader.store.urls import mask_url


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


class Store(PlanRecords, CorporateActionRecords, BotRecords):
    """Reads and writes trader's records; use ``open_store`` to get one."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._writer = for_writing(engine)

    def __repr__(self) -> str:
        return f"Store({mask_url(self.url)!r})"

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

    def account_key(self, mode: AccountMode, account: AccountInfo) -> int | None:
        """The key of the (mode, broker account id) row, or None before its first sync."""
        with self._session("read the account") as session:
            return session.exec(
                select(AccountRow.id).where(
                    AccountRow.mode == mode.value,
                    AccountRow.broker_account_id == account.account_id,
                )
            ).one_or_none()

    def unknown_fills(self, account_key: int | None, fills: tuple[Fill, ...]) -> int:
        """How many of ``fills`` are not stored yet (each activity id counted once)."""
        if account_key is None or not fills:
            return len({f.activity_id for f in fills})
        with self._session("read fills") as session:
            return len(self._new_fills(session, account_key, fills))

    def ensure_account(self, mode: AccountMode, account: AccountInfo) -> int:
        """The key of the (mode, broker account id) row, created on first sight."""
        for attempt in range(2):
            try:
                with self._session("record the account", write=True) as session:
                    row = session.exec(
                        select(AccountRow).where(
                            AccountRow.mode == mode.value,
                            AccountRow.broker_account_id == account.account_id,
                        )
                    ).one_or_none()
                    if row is None:
                        row = convert.account_row(mode, account, first_seen=datetime.now(UTC))
                        session.add(row)
                    else:
                        row.account_number_masked = account.masked_number
                    session.flush()
                    return _key(row.id)
            except StorageError as exc:
                # Another process inserted the same account between our select and insert.
                if attempt or not isinstance(exc.__cause__, IntegrityError):
                    raise
        raise AssertionError("unreachable")

    def record_sync(self, account_key: int, snapshot: AccountSnapshot) -> int:
        """Write one sync (balances, positions, open orders, new fills) atomically; its id."""
        with self._session("record the sync", write=True) as session:
            account = session.get(AccountRow, account_key)
            if account is None:
                raise StorageError(f"no account with key {account_key} in {mask_url(self.url)}")
            snapshot_row = convert.snapshot_row(account_key, snapshot.account, snapshot.taken_at)
            session.add(snapshot_row)
            session.flush()
            snapshot_id = _key(snapshot_row.id)
            session.add_all(convert.position_row(snapshot_id, p) for p in snapshot.positions)
            session.add_all(convert.order_row(snapshot_id, o) for o in snapshot.open_orders)
            session.add_all(convert.foreign_row(snapshot_id, f) for f in snapshot.foreign)
            session.add_all(
                convert.fill_row(account_key, snapshot_id, f)
                for f in self._new_fills(session, account_key, snapshot.fills)
            )
            self._record_corporate_actions(session, account_key, snapshot.corporate_actions)
            account.last_synced = snapshot.taken_at
            session.flush()
            return snapshot_id

    @staticmethod
    def _new_fills(session: Session, account_key: int, fills: tuple[Fill, ...]) -> list[Fill]:
        """The fills whose activity id is not stored yet, oldest first, each once."""
        if not fills:
            return []
        stored = set(
            session.exec(
                select(FillRow.activity_id).where(
                    FillRow.account_id == account_key,
                    col(FillRow.activity_id).in_({f.activity_id for f in fills}),
                )
            )
        )
        new: dict[str, Fill] = {}
        # Row ids follow transaction time, so "newest" is well defined even if the broker
        # listed the fills newest first; fills of the same instant keep the order the broker
        # gave them (ascending, as the adapter asks), so the newest row is the broker's last
        # and paging after it returns only what is new.
        for fill in sorted(fills, key=lambda f: f.transaction_time):
            if fill.activity_id not in stored:
                new.setdefault(fill.activity_id, fill)
        return list(new.values())

    def last_fill_id(self, account_key: int) -> str | None:
        """The activity id of the newest stored fill (by transaction time, then row id)."""
        with self._session("read fills") as session:
            return session.exec(
                select(FillRow.activity_id)
                .where(FillRow.account_id == account_key)
                .order_by(col(FillRow.transaction_time).desc(), col(FillRow.id).desc())
                .limit(1)
            ).first()

    def latest_snapshot(self, account_key: int) -> AccountSnapshot | None:
        """The most recent sync, rebuilt as domain values; its fills are those it recorded."""
        with self._session("read the latest sync") as session:
            row = session.exec(
                select(SyncSnapshotRow)
                .where(SyncSnapshotRow.account_id == account_key)
                .order_by(col(SyncSnapshotRow.taken_at).desc(), col(SyncSnapshotRow.id).desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            account = session.get_one(AccountRow, account_key)
            positions = session.exec(
                select(SnapshotPositionRow)
                .where(SnapshotPositionRow.snapshot_id == row.id)
                .order_by(col(SnapshotPositionRow.id))
            ).all()
            orders = session.exec(
                select(SnapshotOrderRow)
                .where(SnapshotOrderRow.snapshot_id == row.id)
                .order_by(col(SnapshotOrderRow.id))
            ).all()
            fills = session.exec(
                select(FillRow).where(FillRow.snapshot_id == row.id).order_by(col(FillRow.id))
            ).all()
            foreign = session.exec(
                select(SnapshotForeignRow)
                .where(SnapshotForeignRow.snapshot_id == row.id)
                .order_by(col(SnapshotForeignRow.id))
            ).all()
            return AccountSnapshot(
                account=convert.account_info(account, row),
                positions=tuple(convert.position(p) for p in positions),
                open_orders=tuple(convert.order(o) for o in orders),
                taken_at=row.taken_at,
                fills=tuple(convert.fill(f) for f in fills),
                foreign=tuple(convert.foreign(f) for f in foreign),
            )

    def fills(self, account_key: int, symbol: str | None = None) -> list[Fill]:
        """Every stored fill of the account (optionally one symbol), oldest first."""
        query = select(FillRow).where(FillRow.account_id == account_key)
        if symbol is not None:
            query = query.where(FillRow.symbol == symbol)
        query = query.order_by(col(FillRow.transaction_time), col(FillRow.id))
        with self._session("read fills") as session:
            return [convert.fill(row) for row in session.exec(query)]

    def latest_account(self, mode: AccountMode) -> int | None:
        """The key of the most recently synced account of a mode, if any was ever synced."""
        with self._session("read accounts") as session:
            return session.exec(
                select(AccountRow.id)
                .where(AccountRow.mode == mode.value, col(AccountRow.last_synced).is_not(None))
                .order_by(col(AccountRow.last_synced).desc(), col(AccountRow.id).desc())
                .limit(1)
            ).first()

    def peaks(self, account_key: int) -> dict[str, tuple[date, date, Decimal]]:
        """Cached peaks: symbol -> (since, through, peak)."""
        with self._session("read price peaks") as session:
            rows = session.exec(select(PricePeakRow).where(PricePeakRow.account_id == account_key))
            return {row.symbol: (row.since, row.through, row.peak) for row in rows}

    def save_peaks(self, account_key: int, peaks: Mapping[str, tuple[date, date, Decimal]]) -> None:
        """Replace the account's cached peaks with ``peaks`` (symbols not held are dropped)."""
        with self._session("record price peaks", write=True) as session:
            for row in session.exec(
                select(PricePeakRow).where(PricePeakRow.account_id == account_key)
            ).all():
                session.delete(row)
            session.flush()
            session.add_all(
                PricePeakRow(account_id=account_key, symbol=s, since=a, through=b, peak=p)
                for s, (a, b, p) in sorted(peaks.items())
            )

    def scores(self, as_of: date) -> dict[str, Decimal]:
        """The built-in scores cached for a market date."""
        with self._session("read scores") as session:
            rows = session.exec(select(ScoreRow).where(ScoreRow.as_of == as_of))
            return {row.symbol: row.score for row in rows}

    def save_scores(self, as_of: date, scores: Mapping[str, Decimal]) -> None:
        with self._session("record scores", write=True) as session:
            for row in session.exec(select(ScoreRow).where(ScoreRow.as_of == as_of)).all():
                session.delete(row)
            session.flush()
            session.add_all(
                ScoreRow(symbol=s, as_of=as_of, score=v) for s, v in sorted(scores.items())
            )

    def close_spans(self, symbols: list[str]) -> dict[str, tuple[date, date]]:
        """The days already asked of the data API per symbol: symbol -> (first, last)."""
        with self._session("read cached close spans") as session:
            rows = session.exec(
                select(DailyCloseSpanRow).where(col(DailyCloseSpanRow.symbol).in_(symbols))
            )
            return {row.symbol: (row.first_day, row.last_day) for row in rows}

    def cached_assets(self, symbols: list[str], day: date) -> dict[str, Asset | None]:
        """What the broker said on ``day`` of those of ``symbols`` asked that day: the
        asset, or None for a symbol it did not know. Symbols not asked that day are absent."""
        with self._session("read cached assets") as session:
            rows = session.exec(
                select(AssetCacheRow).where(
                    col(AssetCacheRow.symbol).in_(symbols), AssetCacheRow.read_on == day
                )
            )
            return {row.symbol: convert.cached_asset(row) for row in rows}

    def cache_assets(self, found: Mapping[str, Asset | None], day: date) -> None:
        """Remember what the broker said of each symbol on ``day`` (None: not known)."""
        if not found:
            return
        with self._session("cache assets", write=True) as session:
            rows = {
                row.symbol: row
                for row in session.exec(
                    select(AssetCacheRow).where(col(AssetCacheRow.symbol).in_(list(found)))
                )
            }
            for symbol, asset in found.items():
                row = rows.get(symbol) or AssetCacheRow(symbol=symbol)
                convert.fill_asset_row(row, asset, day)
                session.add(row)

    def daily_closes(
        self, symbols: list[str], start: date, end: date
    ) -> dict[str, dict[date, Decimal]]:
        """Cached daily closes of ``symbols`` between ``start`` and ``end`` (inclusive)."""
        found: dict[str, dict[date, Decimal]] = {symbol: {} for symbol in symbols}
        with self._session("read cached daily closes") as session:
            rows = session.exec(
                select(DailyCloseRow).where(
                    col(DailyCloseRow.symbol).in_(symbols),
                    DailyCloseRow.day >= start,
                    DailyCloseRow.day <= end,
                )
            )
            for row in rows:
                found[row.symbol][row.day] = row.close
        return found

    def close_read_days(self, symbols: list[str]) -> dict[str, date]:
        """The day each symbol's cached closes were first read (see ``DailyCloseSpanRow``)."""
        with self._session("read cached close spans") as session:
            rows = session.exec(
                select(DailyCloseSpanRow).where(col(DailyCloseSpanRow.symbol).in_(symbols))
            )
            return {row.symbol: row.read_on for row in rows}

    def drop_daily_closes(self, symbols: list[str]) -> None:
        """Forget the cached closes of ``symbols``: the next read downloads them again."""
        if not symbols:
            return
        with self._session("drop cached daily closes", write=True) as session:
            drop_closes(session, symbols)

    def save_daily_closes(
        self,
        symbol: str,
        first: date,
        last: date,
        closes: Mapping[date, Decimal],
        read_on: date | None = None,
    ) -> None:
        """Cache what the data API gave for ``symbol`` over ``first..last`` and widen its span.

        The new span must touch or overlap the cached one, so the span never claims days
        that were not asked for; a close already cached for a day is replaced. ``read_on``
        is the broker's market date of the read (default: ``last``); a span keeps the day
        it was first read.
        """
        with self._session("record daily closes", write=True) as session:
            span = session.exec(
                select(DailyCloseSpanRow).where(DailyCloseSpanRow.symbol == symbol)
            ).first()
            if span is None:
                span = DailyCloseSpanRow(
                    symbol=symbol, first_day=first, last_day=last, read_on=read_on or last
                )
            else:
                if first > span.last_day + timedelta(days=1) or last < span.first_day - timedelta(
                    days=1
                ):
                    raise ValueError(f"{symbol}: closes {first}..{last} leave a hole in the cache")
                span.first_day = min(span.first_day, first)
                span.last_day = max(span.last_day, last)
            session.add(span)
            existing = {
                row.day: row
                for row in session.exec(
                    select(DailyCloseRow).where(
                        DailyCloseRow.symbol == symbol,
                        DailyCloseRow.day >= first,
                        DailyCloseRow.day <= last,
                    )
                )
            }
            for day, close in sorted(closes.items()):
                row = existing.get(day)
                if row is None:
                    session.add(DailyCloseRow(symbol=symbol, day=day, close=close))
                elif row.close != close:
                    row.close = close
                    session.add(row)

    def last_check(self, mode: AccountMode) -> date | None:
        """The market date of the newest scheduled check ``trader run`` made for the mode."""
        with self._session("read checks") as session:
            row = session.exec(
                select(EventRow)
                .where(
                    EventRow.command == "run",
                    EventRow.kind == "check",
                    EventRow.outcome == mode.value,
                )
                .order_by(col(EventRow.at).desc(), col(EventRow.id).desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return date.fromisoformat(json.loads(row.detail)["day"])

    def log_event(self, command: str, kind: str, outcome: str, detail: Mapping[str, Any]) -> None:
        """Append one line to the event log; secrets in it are masked first."""
        row = EventRow(
            at=datetime.now(UTC),
            command=scrub_text(command),
            kind=kind,
            outcome=outcome,
            detail=detail_json(detail),
        )
        with self._session("log an event", write=True) as session:
            session.add(row)

    def events(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest ``limit`` events, newest first, with their detail parsed back."""
        with self._session("read events") as session:
            rows = session.exec(
                select(EventRow)
                .order_by(col(EventRow.at).desc(), col(EventRow.id).desc())
                .limit(limit)
            ).all()
        return [
            {
                "id": row.id,
                "at": row.at,
                "command": row.command,
                "kind": row.kind,
                "outcome": row.outcome,
                "detail": json.loads(row.detail),
            }
            for row in rows
        ]

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _key(value: int | None) -> int:
    if value is None:
        raise StorageError("the database did not assign a key")
    return value


def _unwrap(exc: BaseException) -> BaseException:
    """A refused bind value arrives wrapped in a StatementError; report the value's error."""
    if isinstance(exc, StatementError) and isinstance(exc.orig, ValueError | TypeError):
        return exc.orig
    return exc
