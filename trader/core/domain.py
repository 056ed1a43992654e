"""Domain values the broker adapter produces and the engine and store consume.

Each value is a frozen dataclass that checks itself; money and quantities are
``Decimal``; times are timezone-aware ``datetime``. Nothing here knows about
alpaca-py, HTTP or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from trader.core.money import ZERO


class AccountMode(StrEnum):
    SIM = "sim"
    PAPER = "paper"
    LIVE = "live"
    MANUAL = "manual"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class AccountInfo:
    account_id: str
    account_number: str
    status: str
    currency: str
    cash: Decimal
    equity: Decimal
    buying_power: Decimal
    long_market_value: Decimal
    trading_blocked: bool = False
    account_blocked: bool = False
    multiplier: Decimal = Decimal(1)  # 1: a cash account; 2 or 4: a margin account
    pattern_day_trader: bool | None = None  # retired by Alpaca in 2026; None when not sent

    @property
    def is_margin(self) -> bool:
        return self.multiplier > 1

    @property
    def masked_number(self) -> str:
        """The account number with all but its last four characters hidden."""
        tail = self.account_number[-4:]
        return "*" * max(len(self.account_number) - 4, 4) + tail


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    qty: Decimal
    avg_entry_price: Decimal
    current_price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_pl: Decimal
    asset_id: str = ""
    # Shares not held by open sell orders (Alpaca's qty_available); None when not sent.
    qty_available: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ValueError("position needs a symbol")
        if self.current_price < ZERO:
            raise ValueError(f"{self.symbol}: negative price {self.current_price}")


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: str
    time_in_force: str
    status: str
    qty: Decimal | None
    notional: Decimal | None
    filled_qty: Decimal
    filled_avg_price: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    submitted_at: datetime | None
    created_at: datetime
    trail_percent: Decimal | None = None

    def __post_init__(self) -> None:
        _aware("created_at", self.created_at)
        if self.filled_qty < ZERO:
            raise ValueError(f"order {self.order_id}: negative filled quantity")


@dataclass(frozen=True, slots=True)
class Fill:
    """One FILL account activity: a whole or partial execution of an order."""

    activity_id: str
    order_id: str
    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    transaction_time: datetime
    fill_type: str  # "fill" | "partial_fill"
    cum_qty: Decimal
    leaves_qty: Decimal

    def __post_init__(self) -> None:
        _aware("transaction_time", self.transaction_time)
        if self.qty <= ZERO:
            raise ValueError(f"fill {self.activity_id}: quantity must be positive")
        if self.price <= ZERO:
            raise ValueError(f"fill {self.activity_id}: price must be positive")


@dataclass(frozen=True, slots=True)
class Asset:
    symbol: str
    name: str
    exchange: str
    tradable: bool
    fractionable: bool
    status: str = "active"
    asset_id: str = ""


@dataclass(frozen=True, slots=True)
class MarketClock:
    timestamp: datetime
    is_open: bool
    next_open: datetime
    next_close: datetime

    def __post_init__(self) -> None:
        for name in ("timestamp", "next_open", "next_close"):
            _aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True)
class TradingDay:
    day: date
    open: datetime
    close: datetime


@dataclass(frozen=True, slots=True)
class Bar:
    timestamp: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What we ask the broker to do. Exactly one of ``qty`` and ``notional``."""

    symbol: str
    side: Side
    client_order_id: str
    qty: Decimal | None = None
    notional: Decimal | None = None
    order_type: str = "market"
    time_in_force: str = "day"
    limit_price: Decimal | None = None
    trail_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.qty is None) == (self.notional is None):
            raise ValueError(f"{self.symbol}: give exactly one of qty and notional")
        amount = self.qty if self.qty is not None else self.notional
        if amount is not None and amount <= ZERO:
            raise ValueError(f"{self.symbol}: order amount must be positive")


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """One non-trade activity about a security: a split, a dividend, a merger, a name
    change... as the broker reported it (``raw_json`` keeps its JSON verbatim).

    ``qty`` is signed: a split arrives as a pair, the old shares removed (negative)
    and the new ones added (positive).
    """

    activity_id: str
    kind: str  # the activity type: SPLIT, DIV, SPIN, MA, NC, REORG, ...
    sub_type: str  # FSPLIT, RSPLIT, USPLIT, CDIV, SDIV, ... (may be empty)
    symbol: str
    day: date
    qty: Decimal | None
    price: Decimal | None
    net_amount: Decimal | None
    group_id: str
    description: str
    raw_json: str


@dataclass(frozen=True, slots=True)
class ForeignRecord:
    """A position, open order or activity of a kind ``trader`` does not trade (crypto,
    options, multi-leg or IPO orders, short sales), kept as the broker sent it.

    It is reported and stored, never weighed, bought or sold."""

    kind: str  # "position" | "order" | "activity"
    symbol: str
    asset_class: str
    reason: str
    raw_json: str  # the broker's JSON object, verbatim

    @property
    def warning(self) -> str:
        name = self.symbol or "(no symbol)"
        return f"{name}: {self.kind} not managed by trader ({self.reason}); left as it is"


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Everything ``trader sync`` reads in one go."""

    account: AccountInfo
    positions: tuple[Position, ...]
    open_orders: tuple[Order, ...]
    taken_at: datetime
    fills: tuple[Fill, ...] = field(default=())
    foreign: tuple[ForeignRecord, ...] = field(default=())
    corporate_actions: tuple[CorporateAction, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CashTransfer:
    """Cash that left the account by a transfer (a CSW withdrawal, a cash journal out, an
    ACATS cash transfer out): ``amount`` is positive dollars out."""

    activity_id: str
    kind: str
    day: date
    amount: Decimal

    def __post_init__(self) -> None:
        if not self.amount.is_finite() or self.amount <= ZERO:
            raise ValueError(f"transfer {self.activity_id}: an amount out is positive")
