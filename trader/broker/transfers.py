"""Cash transfers out of the account, read from Alpaca's account activities.

A withdrawal ``trader plan --withdraw`` raised stays set aside until the cash leaves:
Alpaca books that as a non-trade activity with a negative ``net_amount``, of type CSW
(a cash withdrawal; ``TRANS`` asks for deposits and withdrawals together), JNLC (a cash
journal to another account) or ACATC (an ACATS cash transfer). Money coming in, and
every other activity, is not a transfer out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from trader.core.domain import CashTransfer

TRANSFER_TYPES = ("TRANS", "CSW", "JNLC", "ACATC")
_OUTGOING = frozenset({"CSW", "JNLC", "ACATC", "TRANS"})


def cash_transfer_out(raw: Any) -> CashTransfer | None:
    """The activity as a transfer out, or None when it brought cash in or is of another
    kind. A malformed activity raises ``ValueError`` naming its field."""
    if not isinstance(raw, dict):
        raise ValueError("an account activity is not an object")
    kind = str(raw.get("activity_type") or "").upper()
    if kind not in _OUTGOING:
        return None
    activity_id = raw.get("id")
    if not isinstance(activity_id, str) or not activity_id:
        raise ValueError("activity.id is missing")
    try:
        amount = Decimal(str(raw.get("net_amount")))
    except InvalidOperation:
        raise ValueError(f"activity.net_amount {raw.get('net_amount')!r} is not a number") from None
    if not amount.is_finite():
        raise ValueError(f"activity.net_amount {raw.get('net_amount')!r} is not finite")
    if amount >= 0:
        return None
    day_text = str(raw.get("date") or "")
    try:
        day = date.fromisoformat(day_text[:10])
    except ValueError:
        raise ValueError(f"activity.date {day_text!r} is not a date") from None
    return CashTransfer(activity_id=activity_id, kind=kind, day=day, amount=-amount)
