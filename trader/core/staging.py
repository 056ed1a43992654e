"""A staged plan: a plan given an id, a time and a client order id for every order.

The engine's :class:`~trader.core.engine.plan.Plan` says *what* to trade; staging
makes it something that can be reviewed now and executed later, exactly once. Each
order's ``client_order_id`` is derived from the plan's id, the order's place in the
plan, its side and symbol: the same staged order always carries the same id, so
after an unclear failure the broker can be asked whether it already has it, and a
second submission of the same id is refused by the broker itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from trader.core.domain import AccountMode, Side
from trader.core.money import ZERO

# Alpaca accepts client order ids of up to 128 characters.
CLIENT_ORDER_ID_MAX = 128
_UID = re.compile(r"^[0-9a-f]{32}$")


def client_order_id(plan_uid: str, seq: int, side: Side, symbol: str) -> str:
    """``trader-<plan uid>-<seq>-<side>-<symbol>``: unique per plan and order, and stable."""
    if not _UID.match(plan_uid):
        raise ValueError(f"plan id {plan_uid!r} is not 32 hexadecimal digits")
    if seq < 1:
        raise ValueError(f"order number {seq} must be at least 1")
    value = f"trader-{plan_uid}-{seq:03d}-{side.value}-{symbol}"
    if len(value) > CLIENT_ORDER_ID_MAX:
        raise ValueError(f"client order id for {symbol} is longer than {CLIENT_ORDER_ID_MAX}")
    return value


@dataclass(frozen=True, slots=True)
class StagedOrder:
    seq: int
    client_order_id: str
    symbol: str
    side: Side
    qty: Decimal
    est_price: Decimal
    est_value: Decimal
    category: str
    reason: str
    status: str = "staged"
    est_realized_pl: Decimal | None = None
    notional: Decimal | None = None

    def __post_init__(self) -> None:
        if self.qty <= ZERO:
            raise ValueError(f"{self.symbol}: staged quantity must be positive")


@dataclass(frozen=True, slots=True)
class StagedPlan:
    """A plan as the store keeps it; ``payload`` is its JSON report (allocation, skipped, warnings)."""

    uid: str
    mode: AccountMode
    status: str
    created_at: datetime
    method: str
    input_hash: str
    equity: Decimal
    investable: Decimal
    cash: Decimal
    cash_after: Decimal
    orders: tuple[StagedOrder, ...]
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        if not _UID.match(self.uid):
            raise ValueError(f"plan id {self.uid!r} is not 32 hexadecimal digits")
        if self.created_at.tzinfo is None:
            raise ValueError("a staged plan's time must carry its time zone")
        seqs = [order.seq for order in self.orders]
        if seqs != sorted(set(seqs)):
            raise ValueError(f"plan {self.uid}: order numbers must be unique and ascending")
