"""The sim account's state: cash, positions, orders, activities, splits, prices and the clock.

Records are frozen dataclasses; ``SimState`` is the one mutable container that
holds them, guarded by the server's lock. Money and quantities are ``Decimal``.
Every id comes from a counter in the state (``uuid5`` of the counter), so two
runs of the same requests produce the same ids, and a reloaded state carries on
the sequence where it stopped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from trader.core.money import ZERO
from trader.sim.assets import SIM_NAMESPACE
from trader.sim.glitch import Glitch
from trader.sim.history import MarketView

OPEN_STATUSES = frozenset({"new", "accepted", "partially_filled", "pending_new"})
ACCOUNT_ID = str(uuid.uuid5(SIM_NAMESPACE, "account"))
ACCOUNT_NUMBER = "PA3SIM000001"


@dataclass(frozen=True, slots=True)
class Position:
    """A long holding; the average entry price moves on buys only."""

    symbol: str
    qty: Decimal
    avg_entry_price: Decimal

    def __post_init__(self) -> None:
        if self.qty <= ZERO:
            raise ValueError(f"{self.symbol}: a position holds a positive quantity")

    @property
    def cost_basis(self) -> Decimal:
        return self.qty * self.avg_entry_price


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    client_order_id: str
    symbol: str
    asset_id: str
    side: str  # "buy" | "sell"
    type: str  # market | limit | stop | stop_limit | trailing_stop
    time_in_force: str
    status: str
    created_at: datetime
    submitted_at: datetime
    updated_at: datetime
    qty: Decimal | None = None
    notional: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_percent: Decimal | None = None
    trail_price: Decimal | None = None
    hwm: Decimal | None = None
    filled_qty: Decimal = ZERO
    filled_avg_price: Decimal | None = None
    filled_at: datetime | None = None
    canceled_at: datetime | None = None
    expired_at: datetime | None = None
    extended_hours: bool = False
    # A notional order learns its share quantity when it first fills.
    resolved_qty: Decimal | None = None
    triggered: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def target_qty(self) -> Decimal | None:
        return self.qty if self.qty is not None else self.resolved_qty

    @property
    def leaves_qty(self) -> Decimal:
        target = self.target_qty
        return target - self.filled_qty if target is not None else ZERO

    def updated(self, when: datetime, **changes: object) -> Order:
        return replace(self, updated_at=when, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class FillActivity:
    id: str
    order_id: str
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    transaction_time: datetime
    type: str  # "fill" | "partial_fill"
    cum_qty: Decimal
    leaves_qty: Decimal
    order_status: str


@dataclass(frozen=True, slots=True)
class NonTradeActivity:
    """A corporate action's activity (SPLIT, DIV) in the shape of Alpaca's NonTradeActivities."""

    id: str
    activity_type: str
    activity_sub_type: str
    date: date
    created_at: datetime
    symbol: str
    net_amount: Decimal
    description: str
    group_id: str
    qty: Decimal | None = None
    price: Decimal | None = None
    per_share_amount: Decimal | None = None
    status: str = "executed"


@dataclass(frozen=True, slots=True)
class SimSplit:
    """``old`` shares of ``symbol`` became ``new`` at the open of ``day``.

    Kept for the bars: asked with ``adjustment=split`` (or ``all``), every bar before
    ``day`` is divided by ``new/old`` (its volume multiplied).
    """

    symbol: str
    day: date
    old: Decimal
    new: Decimal

    @property
    def ratio(self) -> Decimal:
        return self.new / self.old


@dataclass
class SimState:
    """Everything that persists between requests and, with a state file, between runs."""

    scenario: str
    now: datetime
    anchor: date
    cash: Decimal
    prices: dict[str, Decimal]
    anchor_prices: dict[str, Decimal]
    positions: dict[str, Position] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)  # submission order
    client_order_ids: dict[str, str] = field(default_factory=dict)  # forever, even canceled
    activities: list[FillActivity] = field(default_factory=list)  # time order
    non_trade: list[NonTradeActivity] = field(default_factory=list)  # time order
    splits: list[SimSplit] = field(default_factory=list)
    recorded_closes: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    counter: int = 0
    trading_blocked: bool = False
    # 1: a cash account (the sim's default); 2 or 4: a margin account (see ``margin``).
    multiplier: Decimal = Decimal(1)
    spread_pct: Decimal = ZERO  # bid-ask spread, percent of the price; fills at the quote
    data_plan: str = "free"  # "free": SIP only 15 minutes late | "unlimited": SIP in real time
    # Positions and open orders the sim holds but does not trade (crypto, options,
    # multi-leg): JSON objects served verbatim (see ``trader.sim.foreign``).
    foreign_positions: list[dict] = field(default_factory=list)
    foreign_orders: list[dict] = field(default_factory=list)
    # Symbols whose market data lies (``trader sim glitch``): see ``trader.sim.glitch``.
    glitches: dict[str, Glitch] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime(2019, 6, 3, 14, 0, tzinfo=UTC))

    def next_uuid(self, kind: str) -> str:
        self.counter += 1
        return str(uuid.uuid5(SIM_NAMESPACE, f"{kind}:{self.counter}"))

    def market_view(self) -> MarketView:
        return MarketView(
            self.anchor, self.anchor_prices, self.recorded_closes, self.prices, self.now
        )

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return [
            o for o in self.orders.values() if o.is_open and (symbol is None or o.symbol == symbol)
        ]

    def held(self, symbol: str) -> Decimal:
        position = self.positions.get(symbol)
        return position.qty if position is not None else ZERO

    def long_market_value(self) -> Decimal:
        return sum((p.qty * self.prices[p.symbol] for p in self.positions.values()), ZERO)

    def equity(self) -> Decimal:
        return self.cash + self.long_market_value()


def activity_id(when: datetime, ident: str) -> str:
    """Alpaca's FILL activity id: ``<YYYYMMDDhhmmssmmm>::<uuid>``; it sorts in time order."""
    stamp = when.astimezone(UTC)
    return stamp.strftime("%Y%m%d%H%M%S") + f"{stamp.microsecond // 1000:03d}::{ident}"
