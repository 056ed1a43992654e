"""The event log (every command run and broker call, and how it ended) and the record of
scheduled checks: the part of :class:`~trader.store.store.Store` ``trader history`` and
``trader run`` read. Details are scrubbed of secrets before they are written
(``trader.store.events``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from trader.core.domain import AccountMode
from trader.store.events import detail_json, scrub_text
from trader.store.tables import EventRow

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


class EventRecords:
    """The event log and the scheduled checks."""

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

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
