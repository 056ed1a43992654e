"""What the Telegram bot keeps: one-time approval tokens, its update offset, paused modes.

**Approval tokens.** A plan alert's buttons carry the plan id and a random token; only
the token's SHA-256 hash is stored, so the database alone cannot forge a tap. A token
dies at the plan's TTL, and a tap uses it once: the first tap *claims* it in one
transaction, recording the Telegram update it came in; any other tap (a second press,
a forwarded or replayed message) finds it taken and does nothing. The same update
seen again after a restart (Telegram sends an update until the bot acknowledges it)
may finish what it started, which is how a restart neither loses an approval nor
repeats one: sending twice is then prevented by the execution itself (the plan is
executed, or every order is looked up by its client order id).

    issued ──tap──> approving ──done──> used
       │                 └─(live)─> confirming ──digits──> approving
       └──tap on Reject──> used

**Offset.** The newest update the bot has handled, per bot: the next ``getUpdates``
asks for the ones after it, which acknowledges it to Telegram.

**Pause.** A paused account mode: ``trader run`` neither stages nor sends.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlmodel import col, select

from trader.core.domain import AccountMode
from trader.core.statuses import PlanStatus, check_plan_change
from trader.store.tables import ApprovalRow, PauseRow, PlanRow, TelegramOffsetRow

if TYPE_CHECKING:
    from sqlmodel import Session

TOKEN_BYTES = 18  # 144 random bits, 24 characters: the callback data stays under 64 bytes


class Claim(StrEnum):
    """What a tap found: its to act on, or why it does nothing."""

    CLAIMED = "claimed"
    DONE = "done"  # used by this very update, seen again: say again how it ended
    USED = "used"  # used, or claimed by another tap
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no such token for this plan


@dataclass(frozen=True, slots=True)
class Pause:
    paused_at: datetime
    paused_by: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BotRecords:
    """The Telegram bot's half of :class:`~trader.store.store.Store`."""

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # -- approval tokens -------------------------------------------------------------------
    def issue_approval(self, plan_uid: str, expires_at: datetime) -> str:
        """A new one-time token for the plan's buttons; only its hash is stored."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._session("record the approval token", write=True) as session:
            plan = session.exec(select(PlanRow).where(PlanRow.uid == plan_uid)).one()
            assert plan.id is not None
            session.add(
                ApprovalRow(
                    plan_id=plan.id,
                    token_hash=token_hash(token),
                    state="issued",
                    created_at=datetime.now(UTC),
                    expires_at=expires_at,
                )
            )
        return token

    def claim_approval(
        self,
        plan_uid: str,
        token: str,
        *,
        update_id: int,
        chat_id: int,
        final: bool = False,
        now: datetime | None = None,
    ) -> Claim:
        """Take the token for the tap that came in ``update_id``, in one transaction.

        ``final`` uses it for good at once (Reject); otherwise it is ``approving`` until
        :meth:`finish_approval`. The same update claiming again is the same tap, seen
        again after a restart: let through while it is being handled, ``DONE`` after.
        """
        now = now or datetime.now(UTC)
        with self._session("claim the approval token", write=True) as session:
            row = _token_row(session, plan_uid, token)
            if row is None:
                return Claim.UNKNOWN
            if row.state in ("approving", "confirming"):
                return Claim.CLAIMED if row.update_id == update_id else Claim.USED
            if row.state == "used":
                return Claim.DONE if row.update_id == update_id else Claim.USED
            if now >= row.expires_at:
                _use(row, now, "expired")
                session.add(row)
                return Claim.EXPIRED
            row.update_id, row.chat_id = update_id, chat_id
            if final:
                _use(row, now, "claimed")
            else:
                row.state = "approving"
            session.add(row)
            return Claim.CLAIMED

    def await_digits(self, plan_uid: str, token: str, prompt_message_id: int) -> None:
        """A live approval now waits for the account number's last four digits, as a
        reply to the prompt message."""
        with self._session("record the approval token", write=True) as session:
            row = _token_row(session, plan_uid, token)
            assert row is not None
            row.state, row.prompt_message_id = "confirming", prompt_message_id
            session.add(row)

    def claim_confirmation(
        self, chat_id: int, prompt_message_id: int, *, update_id: int, now: datetime | None = None
    ) -> tuple[str, Claim] | None:
        """The plan a reply to a digits prompt confirms, and whether the reply may act;
        None when the message replied to is no prompt of ours."""
        now = now or datetime.now(UTC)
        with self._session("claim the approval token", write=True) as session:
            found = session.exec(
                select(ApprovalRow, PlanRow.uid)
                .join(PlanRow, col(PlanRow.id) == col(ApprovalRow.plan_id))
                .where(
                    ApprovalRow.chat_id == chat_id,
                    ApprovalRow.prompt_message_id == prompt_message_id,
                )
            ).first()
            if found is None:
                return None
            row, uid = found
            if row.state == "approving":  # this reply, seen again after a restart
                return uid, Claim.CLAIMED if row.update_id == update_id else Claim.USED
            if row.state != "confirming":
                return uid, Claim.USED
            if now >= row.expires_at:
                _use(row, now, "expired")
                session.add(row)
                return uid, Claim.EXPIRED
            row.state, row.update_id = "approving", update_id
            session.add(row)
            return uid, Claim.CLAIMED

    def finish_approval(self, plan_uid: str, token: str | None, outcome: str) -> None:
        """Use the token for good (``token`` None: the plan's token being confirmed)."""
        with self._session("record the approval token", write=True) as session:
            if token is not None:
                row = _token_row(session, plan_uid, token)
            else:
                row = session.exec(
                    select(ApprovalRow)
                    .join(PlanRow, col(PlanRow.id) == col(ApprovalRow.plan_id))
                    .where(PlanRow.uid == plan_uid, ApprovalRow.state == "approving")
                ).first()
            if row is not None:
                _use(row, datetime.now(UTC), outcome)
                session.add(row)

    def approval_known(self, plan_uid: str, token: str) -> bool:
        """True when ``token`` was issued for the plan (used or not): Details needs no more."""
        with self._session("read the approval token") as session:
            return _token_row(session, plan_uid, token) is not None

    def reject_plan(self, plan_uid: str) -> str:
        """Mark a staged plan ``rejected``; returns the plan's status after the call (a plan
        no longer staged keeps its status)."""
        with self._session("update the plan", write=True) as session:
            row = session.exec(select(PlanRow).where(PlanRow.uid == plan_uid)).one()
            if row.status == PlanStatus.STAGED:
                row.status = check_plan_change(row.status, PlanStatus.REJECTED, plan_uid).value
                session.add(row)
            return row.status

    # -- the update offset -----------------------------------------------------------------
    def telegram_offset(self, bot_id: str) -> int | None:
        """The newest update the bot has handled, if any."""
        with self._session("read the Telegram offset") as session:
            return session.exec(
                select(TelegramOffsetRow.update_id).where(TelegramOffsetRow.bot_id == bot_id)
            ).first()

    def save_telegram_offset(self, bot_id: str, update_id: int) -> None:
        """Record that ``update_id`` is handled (the offset only moves forward)."""
        with self._session("record the Telegram offset", write=True) as session:
            row = session.exec(
                select(TelegramOffsetRow).where(TelegramOffsetRow.bot_id == bot_id)
            ).first()
            if row is None:
                row = TelegramOffsetRow(bot_id=bot_id, update_id=update_id)
            elif update_id <= row.update_id:
                return
            row.update_id, row.updated_at = update_id, datetime.now(UTC)
            session.add(row)

    # -- pause -----------------------------------------------------------------------------
    def pause(self, mode: AccountMode, paused_by: str) -> Pause:
        """Pause the mode (a second pause keeps the first one's time and author)."""
        with self._session("record the pause", write=True) as session:
            row = session.exec(select(PauseRow).where(PauseRow.mode == mode.value)).first()
            if row is None:
                row = PauseRow(mode=mode.value, paused_at=datetime.now(UTC), paused_by=paused_by)
                session.add(row)
            return Pause(row.paused_at, row.paused_by)

    def resume(self, mode: AccountMode) -> Pause | None:
        """Lift the mode's pause; the pause lifted, or None if it was not paused."""
        with self._session("record the pause", write=True) as session:
            row = session.exec(select(PauseRow).where(PauseRow.mode == mode.value)).first()
            if row is None:
                return None
            session.delete(row)
            return Pause(row.paused_at, row.paused_by)

    def paused(self, mode: AccountMode) -> Pause | None:
        with self._session("read the pause") as session:
            row = session.exec(select(PauseRow).where(PauseRow.mode == mode.value)).first()
            return None if row is None else Pause(row.paused_at, row.paused_by)


def _token_row(session: Session, plan_uid: str, token: str) -> ApprovalRow | None:
    return session.exec(
        select(ApprovalRow)
        .join(PlanRow, col(PlanRow.id) == col(ApprovalRow.plan_id))
        .where(PlanRow.uid == plan_uid, ApprovalRow.token_hash == token_hash(token))
    ).first()


def _use(row: ApprovalRow, now: datetime, outcome: str) -> None:
    row.state, row.used_at, row.outcome = "used", now, outcome
