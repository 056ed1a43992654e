"""Plans, their orders and their executions in the store; and the one-execution-at-a-time lock.

A plan is staged by ``trader plan`` (superseding the account's older staged plan),
moves to ``executing`` when ``trader execute --confirm`` starts sending and to
``executed`` when a run finishes. Each order's life — staged, submitted, accepted,
partially filled, filled, rejected, cancelled, expired, skipped — is written as it
happens, each change its own transaction, so a run killed at any point leaves a
store that says exactly how far it got.

The execution lock keeps two ``trader execute`` runs off the same account (keyed on the
broker's account number, so on PostgreSQL two stores in one database share it), and
the bot lock two ``trader bot`` processes (each would answer every tap). Both are held
by the operating system on behalf of the process, so a killed run never leaves one
behind: a PostgreSQL session advisory lock (released when the connection closes)
or, on SQLite, an ``flock`` on a file beside the database.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from trader.core.domain import AccountMode
from trader.core.staging import StagedOrder, StagedPlan
from trader.core.statuses import (
    OrderKind,
    OrderStatus,
    PlanStatus,
    check_order_change,
    check_plan_change,
    contradicts,
)
from trader.errors import BotLocked, ExecutionLocked, StorageError, TraderError
from trader.store import convert
from trader.store.events import detail_json
from trader.store.tables import AccountRow, EventRow, ExecutionRow, PlanOrderRow, PlanRow
from trader.store.urls import is_sqlite

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


class PlanRecords:
    """The plan half of :class:`~trader.store.store.Store`."""

    engine: Engine
    url: str

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- staging ---------------------------------------------------------------------
    def stage_plan(
        self,
        mode: AccountMode,
        staged: StagedPlan | None,
        *,
        account_key: int | None,
        snapshot_id: int | None = None,
    ) -> list[str]:
        """Supersede every older staged plan of the account and stage ``staged`` (if any).

        A newer look at the account makes older plans obsolete, even when it finds
        nothing to do. One transaction: the new plan, its orders and the superseding
        happen together or not at all. Returns the ids of the plans it superseded.
        """
        with self._session("stage the plan", write=True) as session:
            # One staging at a time per account, so that the later of two plans made at
            # once supersedes the earlier rather than both staying staged. SQLite's
            # writing session already holds the database's write lock; PostgreSQL takes
            # an advisory lock until the transaction ends.
            if not is_sqlite(self.url):
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"),
                    {"k": lock_key(f"stage {mode.value}:{account_key}")},
                )
            older = session.exec(
                select(PlanRow).where(
                    PlanRow.mode == mode.value,
                    PlanRow.account_id == account_key
                    if account_key is not None
                    else col(PlanRow.account_id).is_(None),
                    PlanRow.status == PlanStatus.STAGED,
                )
            ).all()
            for row in older:
                row.status = check_plan_change(row.status, PlanStatus.SUPERSEDED, row.uid).value
                session.add(row)
            if staged is None:
                return [row.uid for row in older]
            if staged.mode is not mode:
                raise StorageError(f"plan {staged.uid} is for {staged.mode}, not {mode}")
            plan_row = convert.plan_row(staged, account_key=account_key, snapshot_id=snapshot_id)
            session.add(plan_row)
            session.flush()
            assert plan_row.id is not None
            session.add_all(convert.plan_order_row(plan_row.id, o) for o in staged.orders)
            session.flush()
            return [row.uid for row in older]

    def staged_plan(self, mode: AccountMode, uid: str | None = None) -> StagedPlan | None:
        """A plan by id (any status), or else the newest plan of the mode still staged or executing."""
        query = select(PlanRow).where(PlanRow.mode == mode.value)
        if uid is not None:
            query = query.where(PlanRow.uid == uid)
        else:
            query = query.where(col(PlanRow.status).in_((PlanStatus.STAGED, PlanStatus.EXECUTING)))
        return self._one_plan(query)

    def plan_uids(self, mode: AccountMode, prefix: str, limit: int = 10) -> list[str]:
        """The ids of the mode's plans that start with ``prefix``, newest first (at most
        ``limit``): how a short id, as ``trader history`` shows it, names its plan."""
        query = (
            select(PlanRow.uid)
            .where(PlanRow.mode == mode.value, col(PlanRow.uid).startswith(prefix, autoescape=True))
            .order_by(col(PlanRow.created_at).desc(), col(PlanRow.id).desc())
            .limit(limit)
        )
        with self._session("read plans") as session:
            return list(session.exec(query).all())

    def latest_plan(self, mode: AccountMode) -> StagedPlan | None:
        """The newest plan of the mode, whatever its status."""
        return self._one_plan(select(PlanRow).where(PlanRow.mode == mode.value))

    def plans(self, mode: AccountMode, limit: int = 20) -> list[StagedPlan]:
        """The newest plans of the mode, newest first."""
        query = (
            select(PlanRow)
            .where(PlanRow.mode == mode.value)
            .order_by(col(PlanRow.created_at).desc(), col(PlanRow.id).desc())
            .limit(limit)
        )
        with self._session("read plans") as session:
            return [self._rebuild(session, row) for row in session.exec(query).all()]

    def _one_plan(self, query: Any) -> StagedPlan | None:
        query = query.order_by(col(PlanRow.created_at).desc(), col(PlanRow.id).desc()).limit(1)
        with self._session("read plans") as session:
            row = session.exec(query).first()
            return None if row is None else self._rebuild(session, row)

    @staticmethod
    def _rebuild(session: Session, row: PlanRow) -> StagedPlan:
        orders = session.exec(
            select(PlanOrderRow)
            .where(PlanOrderRow.plan_id == row.id)
            .order_by(col(PlanOrderRow.seq))
        ).all()
        return convert.staged_plan(row, list(orders))

    def last_rebalance(self, mode: AccountMode) -> datetime | None:
        """When the newest executed plan of the mode was made, if any was executed."""
        with self._session("read executed plans") as session:
            return session.exec(
                select(PlanRow.created_at)
                .where(PlanRow.mode == mode.value, PlanRow.status == PlanStatus.EXECUTED)
                .order_by(col(PlanRow.created_at).desc())
                .limit(1)
            ).first()

    def orders_sent_since(self, account_key: int, since: datetime) -> list[StagedOrder]:
        """Every order of the account's plans sent after ``since`` (a sync's time): what
        a plan made from that sync cannot see, filled or not."""
        with self._session("read the orders sent") as session:
            rows = session.exec(
                select(PlanOrderRow)
                .join(PlanRow, col(PlanRow.id) == col(PlanOrderRow.plan_id))
                .where(
                    PlanRow.account_id == account_key,
                    col(PlanOrderRow.submitted_at).is_not(None),
                    col(PlanOrderRow.submitted_at) > since,
                )
                .order_by(col(PlanOrderRow.id))
            ).all()
            return [convert.staged_order(row) for row in rows]

    def stop_sales(self, account_key: int) -> list[StagedOrder]:
        """The account's trailing-stop sales that filled, whole or in part."""
        with self._session("read the stop sales") as session:
            rows = session.exec(
                select(PlanOrderRow)
                .join(PlanRow, col(PlanRow.id) == col(PlanOrderRow.plan_id))
                .where(
                    PlanRow.account_id == account_key,
                    PlanOrderRow.kind == OrderKind.TRAILING_STOP.value,
                )
                .order_by(col(PlanOrderRow.id))
            ).all()
            # filled_qty is an exact decimal (text on SQLite): compared here, not in SQL.
            return [convert.staged_order(row) for row in rows if row.filled_qty > 0]

    # -- execution -------------------------------------------------------------------
    def set_plan_status(self, uid: str, status: PlanStatus) -> None:
        """Move the plan to ``status``, if its life allows it (``InvalidStatusChange``)."""
        with self._session("update the plan", write=True) as session:
            row = session.exec(select(PlanRow).where(PlanRow.uid == uid)).one()
            row.status = check_plan_change(row.status, status, f"plan {uid}").value
            session.add(row)

    def update_order(self, uid: str, seq: int, **changes: Any) -> None:
        """Record one step of an order's life; its own transaction, so it survives a crash."""
        with self._session("record the order", write=True) as session:
            row = session.exec(
                select(PlanOrderRow)
                .join(PlanRow, col(PlanRow.id) == col(PlanOrderRow.plan_id))
                .where(PlanRow.uid == uid, PlanOrderRow.seq == seq)
            ).one()
            for name, value in changes.items():
                if not hasattr(row, name):
                    raise StorageError(f"plan_order has no column {name}")
                if name == "status":
                    value = check_order_change(row.status, value, f"plan {uid} order {seq}").value
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)
            session.add(row)

    def record_broker_order(
        self, uid: str, seq: int, status: OrderStatus, command: str, **changes: Any
    ) -> OrderStatus | None:
        """Write what the broker says of one of our orders, the broker's word winning.

        A status our record cannot move to (a final status the broker contradicts:
        ``rejected`` in the store, filled at the broker) is written all the same, with an
        ``order_corrected`` event naming both, in one transaction. Returns the status it
        corrected, or None when the broker's word was an ordinary step.
        """
        with self._session("record the order", write=True) as session:
            row = session.exec(
                select(PlanOrderRow)
                .join(PlanRow, col(PlanRow.id) == col(PlanOrderRow.plan_id))
                .where(PlanRow.uid == uid, PlanOrderRow.seq == seq)
            ).one()
            stored = OrderStatus(row.status)
            corrected = contradicts(stored, status)
            before = {name: getattr(row, name) for name in changes}
            row.status = status.value
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)
            session.add(row)
            if not corrected:
                return None
            detail = {
                "plan_id": uid,
                "seq": seq,
                "client_order_id": row.client_order_id,
                "stored": stored.value,
                "broker": status.value,
                **{f"stored_{name}": value for name, value in before.items()},
                **{f"broker_{name}": value for name, value in changes.items()},
            }
            session.add(
                EventRow(
                    at=row.updated_at,
                    command=command,
                    kind="order_corrected",
                    outcome="broker_wins",
                    detail=detail_json(detail),
                )
            )
            return stored

    def start_execution(self, uid: str, detail: Mapping[str, Any]) -> int:
        with self._session("record the execution", write=True) as session:
            plan = session.exec(select(PlanRow).where(PlanRow.uid == uid)).one()
            assert plan.id is not None
            row = ExecutionRow(
                plan_id=plan.id,
                started_at=datetime.now(UTC),
                status="running",
                detail=json.dumps(
                    {**detail, "pid": os.getpid(), "host": socket.gethostname()},
                    sort_keys=True,
                    default=str,
                ),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

    def finish_execution(self, execution_id: int, status: str, detail: Mapping[str, Any]) -> None:
        with self._session("record the execution", write=True) as session:
            row = session.get_one(ExecutionRow, execution_id)
            row.status = status
            row.finished_at = datetime.now(UTC)
            row.detail = json.dumps(dict(detail), sort_keys=True, default=str)
            session.add(row)

    def close_abandoned_executions(self, mode: str, broker_account_id: str) -> int:
        """Record as ``interrupted`` every run on the account still marked ``running``.

        Called with the account's execution lock held: no live run holds it, so a
        ``running`` row is one whose process died (killed, crashed) before it could
        record how it ended. Returns how many rows were closed."""
        with self._session("record abandoned executions", write=True) as session:
            rows = session.exec(
                select(ExecutionRow)
                .join(PlanRow, col(PlanRow.id) == col(ExecutionRow.plan_id))
                .join(AccountRow, col(AccountRow.id) == col(PlanRow.account_id))
                .where(ExecutionRow.status == "running")
                .where(PlanRow.mode == mode)
                .where(AccountRow.broker_account_id == broker_account_id)
            ).all()
            for row in rows:
                detail = json.loads(row.detail)
                detail["error"] = ABANDONED
                row.status = "interrupted"
                row.finished_at = datetime.now(UTC)
                row.detail = json.dumps(detail, sort_keys=True, default=str)
                session.add(row)
        return len(rows)

    def executions(self, uid: str) -> list[dict[str, Any]]:
        """Every run of ``trader execute`` on a plan, oldest first."""
        with self._session("read executions") as session:
            rows = session.exec(
                select(ExecutionRow)
                .join(PlanRow, col(PlanRow.id) == col(ExecutionRow.plan_id))
                .where(PlanRow.uid == uid)
                .order_by(col(ExecutionRow.id))
            ).all()
        return [
            {
                "id": row.id,
                "started_at": row.started_at,
                "finished_at": row.finished_at,
                "status": "interrupted" if _abandoned(row) else row.status,
                "detail": json.loads(row.detail),
            }
            for row in rows
        ]

    def execution_lock(self, name: str, shown: str | None = None) -> AbstractContextManager[None]:
        """Hold the lock called ``name`` for the block, or raise ExecutionLocked at once
        (saying ``shown`` for the name: a lock keyed on an account number shows it masked)."""
        return self._held_lock(
            name, ExecutionLocked(f"another trader execute is running on {shown or name}")
        )

    def bot_lock(self, name: str) -> AbstractContextManager[None]:
        """Hold the bot's lock on an account for the block, or raise BotLocked at once."""
        return self._held_lock(f"bot {name}", BotLocked(f"another trader bot is running on {name}"))

    @contextmanager
    def _held_lock(self, name: str, refusal: TraderError) -> Iterator[None]:
        if is_sqlite(self.url):
            with _file_lock(self.url, name, refusal):
                yield
            return
        key = lock_key(name)
        with self.engine.connect() as connection:
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            if not taken:
                raise refusal
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def lock_key(name: str) -> int:
    """PostgreSQL's advisory lock number for a lock called ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


ABANDONED = "the process ended before recording how the run ended (killed or crashed)"


def _abandoned(row: ExecutionRow) -> bool:
    """A ``running`` row whose process, on this machine, is gone: shown as interrupted
    (the next ``trader execute`` records it so)."""
    if row.status != "running":
        return False
    detail = json.loads(row.detail)
    pid, host = detail.get("pid"), detail.get("host")
    if not isinstance(pid, int) or host != socket.gethostname():
        return False  # another machine's run (a shared PostgreSQL database): unknown here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


@contextmanager
def _file_lock(url: str, name: str, refusal: TraderError) -> Iterator[None]:
    database = make_url(url).database
    if not database or database == ":memory:":
        yield  # a private in-memory database: no other process can share it
        return
    safe = hashlib.sha256(name.encode()).hexdigest()[:16]
    path = Path(f"{database}.execute-{safe}.lock")
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refusal from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
