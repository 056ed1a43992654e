"""Corporate actions in the store, and what a newly seen split or dividend invalidates.

Each activity is stored once per account (deduplicated by activity id), written in the
same transaction as the sync that read it. When a SPLIT is first stored:
- the account's cached peak of that symbol (the trailing stop's memory) is rescaled by
  the split (a $200 peak becomes $100 after two-for-one), since it was read in the old
  shares' prices;
- the cached daily closes of that symbol are dropped: the data API adjusts past bars
  for splits and dividends, so what was cached before no longer matches what it serves
  now, and the next backtest reads them again. A new dividend drops them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import col, delete, select

from trader.core.corporate import read_actions
from trader.core.domain import CorporateAction
from trader.store import convert
from trader.store.tables import (
    CorporateActionRow,
    DailyCloseRow,
    DailyCloseSpanRow,
    PricePeakRow,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlmodel import Session


class CorporateActionRecords:
    """The corporate-action part of :class:`~trader.store.store.Store`."""

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def corporate_actions(self, account_key: int) -> list[CorporateAction]:
        """Every stored corporate action of the account, oldest first."""
        query = (
            select(CorporateActionRow)
            .where(CorporateActionRow.account_id == account_key)
            .order_by(col(CorporateActionRow.day), col(CorporateActionRow.id))
        )
        with self._session("read corporate actions") as session:
            return [convert.corporate_action(row) for row in session.exec(query)]

    def last_corporate_action_id(self, account_key: int) -> str | None:
        """The activity id of the newest stored corporate action (the sync's page token)."""
        with self._session("read corporate actions") as session:
            return session.exec(
                select(CorporateActionRow.activity_id)
                .where(CorporateActionRow.account_id == account_key)
                .order_by(col(CorporateActionRow.id).desc())
                .limit(1)
            ).first()

    @staticmethod
    def _record_corporate_actions(
        session: Session, account_key: int, actions: Iterable[CorporateAction]
    ) -> list[CorporateAction]:
        """Store the actions not stored yet and apply what they invalidate; the new ones."""
        actions = list(actions)
        if not actions:
            return []
        stored = set(
            session.exec(
                select(CorporateActionRow.activity_id).where(
                    CorporateActionRow.account_id == account_key,
                    col(CorporateActionRow.activity_id).in_({a.activity_id for a in actions}),
                )
            )
        )
        new: dict[str, CorporateAction] = {}
        for action in actions:
            if action.activity_id not in stored:
                new.setdefault(action.activity_id, action)
        if not new:
            return []
        split_symbols = sorted({a.symbol for a in new.values() if a.kind == "SPLIT"})
        earlier = [
            convert.corporate_action(row)
            for row in session.exec(
                select(CorporateActionRow).where(
                    CorporateActionRow.account_id == account_key,
                    CorporateActionRow.kind == "SPLIT",
                    col(CorporateActionRow.symbol).in_(split_symbols),
                )
            )
        ]
        session.add_all(convert.corporate_action_row(account_key, a) for a in new.values())
        # A split counts once, when its legs first add up to a ratio (they may arrive in
        # two syncs, a page boundary between them).
        known = set(read_actions(earlier).splits)
        history = read_actions(new.values())
        completed = [s for s in read_actions([*earlier, *new.values()]).splits if s not in known]
        for split in completed:
            peak = session.exec(
                select(PricePeakRow).where(
                    PricePeakRow.account_id == account_key, PricePeakRow.symbol == split.symbol
                )
            ).first()
            if peak is not None:
                peak.peak = split.per_share(peak.peak)
                session.add(peak)
        touched = {s.symbol for s in completed} | {d.symbol for d in history.dividends}
        if touched:
            drop_closes(session, sorted(touched))
        return list(new.values())


def drop_closes(session: Session, symbols: list[str]) -> None:
    """Delete the cached closes of ``symbols`` and the record of what was asked for."""
    session.exec(delete(DailyCloseRow).where(col(DailyCloseRow.symbol).in_(symbols)))  # type: ignore[call-overload]
    session.exec(delete(DailyCloseSpanRow).where(col(DailyCloseSpanRow.symbol).in_(symbols)))  # type: ignore[call-overload]
