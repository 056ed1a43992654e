"""A withdrawal set aside: cash a ``--withdraw`` plan raised, kept until it leaves.

Raising a withdrawal sells to have the cash; moving it out of the account is the user's
own bank transfer, days later perhaps. Until then every plan keeps it in cash beside the
reserve, instead of reinvesting it. It is set aside when its plan is executed, and it
ends in one of two ways:

- it **left**: transfers out of the account (Alpaca's CSW, JNLC or ACATC activities,
  dated from the day it was raised) add up to it, or the cash has dropped below it (so
  it cannot still be there, whatever took it); a transfer of part of it leaves the rest
  set aside;
- it was **cancelled** by the user (``trader plan --cancel-withdrawal``): the next plan
  invests it again.

:func:`settle` applies the transfers and the cash seen at a plan; it is pure, the
store keeps the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from trader.core.domain import CashTransfer
from trader.core.money import CENT, ZERO, dollars


class WithdrawalState(StrEnum):
    SET_ASIDE = "set_aside"
    LEFT = "left"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """``raised`` is what the plans raised; ``amount`` what is still set aside."""

    plan_uid: str
    raised: Decimal
    amount: Decimal
    raised_at: datetime
    raised_on: date  # the market's date: transfers out from this day on count
    counted: frozenset[str] = frozenset()  # transfer activities already taken off
    state: WithdrawalState = WithdrawalState.SET_ASIDE
    closed_at: datetime | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.raised <= ZERO or self.amount < ZERO:
            raise ValueError("a withdrawal set aside is a positive amount")
        if self.raised_at.tzinfo is None:
            raise ValueError("raised_at must be timezone-aware")

    @property
    def is_set_aside(self) -> bool:
        return self.state is WithdrawalState.SET_ASIDE

    def line(self) -> str:
        """One line for the review and ``trader status``."""
        return (
            f"{dollars(self.amount)} set aside for the withdrawal raised on "
            f"{self.raised_on.isoformat()} (plan {self.plan_uid[:8]}): kept in cash beside "
            f"the reserve until it leaves the account; `trader plan --cancel-withdrawal` "
            f"invests it again"
        )


def settle(
    withdrawal: Withdrawal, transfers: Iterable[CashTransfer], cash: Decimal, now: datetime
) -> Withdrawal:
    """The withdrawal after the transfers out not yet counted, and the cash there now.

    ``cash`` is the account's cash as the plan counts it (with the working orders)."""
    if not withdrawal.is_set_aside:
        return withdrawal
    new = [
        t
        for t in transfers
        if t.activity_id not in withdrawal.counted and t.day >= withdrawal.raised_on
    ]
    out = sum((t.amount for t in new), ZERO)
    left = max(withdrawal.amount - out, ZERO)
    counted = withdrawal.counted | {t.activity_id for t in new}
    settled = replace(withdrawal, amount=left, counted=counted)
    if left < CENT:
        return replace(
            settled,
            state=WithdrawalState.LEFT,
            closed_at=now,
            note=f"it left the account by transfer ({', '.join(sorted({t.kind for t in new}))})",
        )
    if cash < left:
        return replace(
            settled,
            state=WithdrawalState.LEFT,
            closed_at=now,
            note=f"the cash ({dollars(cash)}) dropped below the {dollars(left)} still set "
            f"aside: taken as transferred out",
        )
    return settled


def cancelled(withdrawal: Withdrawal, now: datetime) -> Withdrawal:
    return replace(
        withdrawal,
        state=WithdrawalState.CANCELLED,
        closed_at=now,
        note="cancelled by the user: invested again by the next plan",
    )
