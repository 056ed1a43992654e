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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from trader.core.domain import AccountMode, Side
from trader.core.money import ZERO
from trader.core.statuses import (
    OPEN_ORDER_STATUSES,
    ORDER_CHANGES,
    OrderKind,
    OrderStatus,
    PlanStatus,
)

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


# Where an order stands. "submitted" is written *before* the broker is called: a run that
# dies then leaves an order whose fate only the broker knows, and the next run asks it.
OPEN_STATUSES = OPEN_ORDER_STATUSES
FINAL_STATUSES = frozenset(s for s, onward in ORDER_CHANGES.items() if not onward)


_CLIENT_ID = re.compile(r"^trader-([0-9a-f]{32})-(\d{3,})-(buy|sell)-")


def parse_client_order_id(value: str) -> tuple[str, int] | None:
    """The plan id and order number in one of our client order ids; None for anyone else's."""
    match = _CLIENT_ID.match(value)
    return (match.group(1), int(match.group(2))) if match else None


@dataclass(frozen=True, slots=True)
class Basis:
    """What a plan was made from: the cash and the shares held, to check the account against.

    ``deposit`` is cash the plan counted that was not in the account yet (``--deposit``):
    the plan waits for it. ``withdrawal`` is cash the plan raised to be transferred out
    (``--withdraw``): execution keeps it in cash beside the reserve. ``set_aside`` is an
    earlier withdrawal, raised and not yet transferred out: kept there too.
    """

    cash: Decimal
    positions: Mapping[str, Decimal] = field(default_factory=dict)
    deposit: Decimal = ZERO
    withdrawal: Decimal = ZERO
    set_aside: Decimal = ZERO

    def __post_init__(self) -> None:
        kept = {s: q for s, q in sorted(self.positions.items()) if q != 0}
        object.__setattr__(self, "positions", MappingProxyType(kept))
        if self.deposit < ZERO or self.withdrawal < ZERO or self.set_aside < ZERO:
            raise ValueError("a plan's deposit or withdrawal is not negative")

    @property
    def kept_in_cash(self) -> Decimal:
        """What execution keeps beside the reserve: the withdrawals raised and to raise."""
        return self.withdrawal + self.set_aside

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "cash": str(self.cash),
            "positions": {s: str(q) for s, q in self.positions.items()},
        }
        # Only when there is one: plans staged before cash flows read back the same.
        if self.deposit:
            found["deposit"] = str(self.deposit)
        if self.withdrawal:
            found["withdrawal"] = str(self.withdrawal)
        if self.set_aside:
            found["set_aside"] = str(self.set_aside)
        return found

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Basis:
        positions = {s: Decimal(q) for s, q in dict(data.get("positions", {})).items()}
        return cls(
            Decimal(str(data.get("cash", "0"))),
            positions,
            deposit=Decimal(str(data.get("deposit", "0"))),
            withdrawal=Decimal(str(data.get("withdrawal", "0"))),
            set_aside=Decimal(str(data.get("set_aside", "0"))),
        )


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
    status: OrderStatus = OrderStatus.STAGED
    est_realized_pl: Decimal | None = None
    notional: Decimal | None = None
    sent_qty: Decimal | None = None
    broker_order_id: str | None = None
    filled_qty: Decimal = ZERO
    filled_avg_price: Decimal | None = None
    message: str | None = None
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    kind: OrderKind = OrderKind.REBALANCE  # why the plan made the order
    est_short_term: Decimal | None = None
    est_long_term: Decimal | None = None
    est_washed: Decimal | None = None  # the part of a loss a wash sale disallows

    def __post_init__(self) -> None:
        if self.qty <= ZERO:
            raise ValueError(f"{self.symbol}: staged quantity must be positive")
        if self.filled_qty < ZERO:
            raise ValueError(f"{self.symbol}: negative filled quantity")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True, slots=True)
class StagedPlan:
    """A plan as the store keeps it; ``payload`` is its JSON report (allocation, skipped, warnings)."""

    uid: str
    mode: AccountMode
    status: PlanStatus
    created_at: datetime
    method: str
    input_hash: str
    equity: Decimal
    investable: Decimal
    cash: Decimal
    cash_after: Decimal
    orders: tuple[StagedOrder, ...]
    payload: dict[str, Any]
    basis: Basis = field(default_factory=lambda: Basis(ZERO))

    def __post_init__(self) -> None:
        if not _UID.match(self.uid):
            raise ValueError(f"plan id {self.uid!r} is not 32 hexadecimal digits")
        if self.created_at.tzinfo is None:
            raise ValueError("a staged plan's time must carry its time zone")
        seqs = [order.seq for order in self.orders]
        if seqs != sorted(set(seqs)):
            raise ValueError(f"plan {self.uid}: order numbers must be unique and ascending")

    def order(self, seq: int) -> StagedOrder:
        for order in self.orders:
            if order.seq == seq:
                return order
        raise KeyError(seq)
