"""The small surface the project needs from a broker.

Dry runs and simulations are other *brokers* that follow this Protocol, never
``if dry_run:`` branches inside an adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from trader.core.domain import (
    AccountInfo,
    Asset,
    Bar,
    CashTransfer,
    CorporateAction,
    Fill,
    ForeignRecord,
    MarketClock,
    Order,
    OrderRequest,
    Position,
    TradingDay,
)
from trader.core.price_check import MarketSnapshot


class Broker(Protocol):
    # Every call made and how it ended, (action, outcome): the commands write them to the
    # event log.
    calls: list[tuple[str, str]]

    def account(self) -> AccountInfo: ...

    def positions(self) -> list[Position]: ...

    def open_orders(self) -> list[Order]: ...

    def orders(
        self, status: str = "all", after: datetime | None = None, limit: int = 500
    ) -> list[Order]: ...

    def fills(self, after: str | None = None) -> list[Fill]:
        """FILL activities newer than the activity id ``after`` (all of them when None), oldest first."""
        ...

    def corporate_actions(self, after: str | None = None) -> list[CorporateAction]:
        """Splits, dividends and other corporate-action activities newer than the
        activity id ``after`` (all of them when None), oldest first."""
        ...

    def cash_transfers(self, since: date) -> list[CashTransfer]:
        """Transfers of cash out of the account (withdrawals, cash journals out) dated
        ``since`` or later, oldest first."""
        ...

    def foreign_records(self) -> list[ForeignRecord]:
        """What the latest reads of positions, open orders and fills held that ``trader``
        does not trade (crypto, options, multi-leg or IPO orders, shorts)."""
        ...

    def assets(self, symbols: Sequence[str] | None = None) -> list[Asset]:
        """The given symbols' assets; without symbols, every active asset."""
        ...

    def asset(self, symbol: str) -> Asset: ...

    def clock(self) -> MarketClock: ...

    def calendar(self, start: date, end: date) -> list[TradingDay]: ...

    def latest_prices(self, symbols: Sequence[str]) -> dict[str, Decimal]: ...

    def snapshots(self, symbols: Sequence[str]) -> dict[str, MarketSnapshot]:
        """Each symbol's latest trade, latest quote and previous daily close, in one request."""
        ...

    def daily_bars(
        self, symbols: Sequence[str], start: date, end: date | None = None
    ) -> dict[str, list[Bar]]: ...

    def bar_adjustments(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[date]]:
        """Ex-dates of splits and cash dividends processed in ``start..end``, by symbol."""
        ...

    def submit(self, request: OrderRequest) -> Order: ...

    def order_by_client_id(self, client_order_id: str) -> Order | None: ...

    def cancel(self, order_id: str) -> None: ...
