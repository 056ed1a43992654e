"""Withdrawals set aside (``trader.core.withdrawal``) in the store: at most one per
account is ``set_aside`` at a time; a second ``--withdraw`` adds to it."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import select

from trader.core.withdrawal import Withdrawal, WithdrawalState
from trader.store.tables import PlanRow, WithdrawalRow

if TYPE_CHECKING:
    from sqlmodel import Session


def _withdrawal(row: WithdrawalRow) -> Withdrawal:
    return Withdrawal(
        plan_uid=row.plan_uid,
        raised=row.raised,
        amount=row.amount,
        raised_at=row.raised_at,
        raised_on=row.raised_on,
        counted=frozenset(json.loads(row.counted)),
        state=WithdrawalState(row.state),
        closed_at=row.closed_at,
        note=row.note,
    )


class WithdrawalRecords:
    """The withdrawal half of :class:`~trader.store.store.Store`."""

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    @staticmethod
    def _set_aside_row(session: Session, account_key: int) -> WithdrawalRow | None:
        return session.exec(
            select(WithdrawalRow).where(
                WithdrawalRow.account_id == account_key,
                WithdrawalRow.state == WithdrawalState.SET_ASIDE.value,
            )
        ).first()

    def set_aside_withdrawal(self, plan_uid: str, amount: Decimal, raised_on: date) -> None:
        """Set aside the withdrawal a plan raises, when its execution starts; once per
        plan (a rerun of the same plan adds nothing), added to one already set aside."""
        with self._session("set the withdrawal aside", write=True) as session:
            plan = session.exec(select(PlanRow).where(PlanRow.uid == plan_uid)).one()
            if plan.account_id is None:
                return
            row = self._set_aside_row(session, plan.account_id)
            if row is None:
                row = WithdrawalRow(
                    account_id=plan.account_id,
                    plan_uid=plan_uid,
                    raised=amount,
                    amount=amount,
                    raised_at=datetime.now(UTC),
                    raised_on=raised_on,
                    state=WithdrawalState.SET_ASIDE.value,
                )
            elif row.plan_uid != plan_uid:
                row.plan_uid = plan_uid
                row.raised += amount
                row.amount += amount
            session.add(row)

    def withdrawal_set_aside(self, account_key: int) -> Withdrawal | None:
        with self._session("read the withdrawal set aside") as session:
            row = self._set_aside_row(session, account_key)
            return None if row is None else _withdrawal(row)

    def save_withdrawal(self, account_key: int, withdrawal: Withdrawal) -> None:
        """Write what ``settle`` or ``cancelled`` made of the account's set-aside withdrawal."""
        with self._session("record the withdrawal", write=True) as session:
            row = self._set_aside_row(session, account_key)
            if row is None:
                return
            row.amount = withdrawal.amount
            row.counted = json.dumps(sorted(withdrawal.counted))
            row.state = withdrawal.state.value
            row.closed_at = withdrawal.closed_at
            row.note = withdrawal.note
            session.add(row)
