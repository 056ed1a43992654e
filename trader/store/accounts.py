"""Accounts, their syncs (balances, positions, open orders, foreign records) and the
fills: the part of :class:`~trader.store.store.Store` that ``trader sync`` writes.

Fills are deduplicated by activity id per account, so overlapping syncs are harmless;
``last_fill_id`` gives the newest stored one for an incremental sync.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from trader.core.domain import AccountInfo, AccountMode, AccountSnapshot, Fill
from trader.errors import StorageError
from trader.store import convert
from trader.store.tables import (
    AccountRow,
    FillRow,
    SnapshotForeignRow,
    SnapshotOrderRow,
    SnapshotPositionRow,
    SyncSnapshotRow,
)
from trader.store.urls import mask_url

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


class AccountRecords:
    """Accounts, syncs and fills."""

    url: str

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

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

    def earlier_prices(
        self, account_key: int, after: datetime, before: datetime
    ) -> dict[str, Decimal]:
        """The holdings' prices at the latest sync taken after ``after`` and before
        ``before`` (none: empty): an earlier observation of the same prices."""
        with self._session("read an earlier sync's prices") as session:
            row = session.exec(
                select(SyncSnapshotRow)
                .where(
                    SyncSnapshotRow.account_id == account_key,
                    SyncSnapshotRow.taken_at > after,
                    SyncSnapshotRow.taken_at < before,
                )
                .order_by(col(SyncSnapshotRow.taken_at).desc(), col(SyncSnapshotRow.id).desc())
                .limit(1)
            ).first()
            if row is None:
                return {}
            positions = session.exec(
                select(SnapshotPositionRow).where(SnapshotPositionRow.snapshot_id == row.id)
            )
            return {p.symbol: p.current_price for p in positions}

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


def _key(value: int | None) -> int:
    if value is None:
        raise StorageError("the database did not assign a key")
    return value
