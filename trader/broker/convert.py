"""Conversions from alpaca-py's models and raw dicts into the project's domain values.

Alpaca sends money and quantities as strings; they go straight to ``Decimal``.
The market-data models hold floats: those pass through ``repr`` so a price such
as 185.1 stays 185.1. A missing required field raises, and the adapter turns
that into ``MalformedResponse`` before anything reaches the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from alpaca.trading.models import Asset as AlpacaAsset
from alpaca.trading.models import Calendar as AlpacaCalendar
from alpaca.trading.models import Clock as AlpacaClock
from alpaca.trading.models import Order as AlpacaOrder
from alpaca.trading.models import Position as AlpacaPosition
from alpaca.trading.models import TradeAccount

from trader.core.domain import (
    AccountInfo,
    Asset,
    Fill,
    MarketClock,
    Order,
    Position,
    Side,
    TradingDay,
)
from trader.core.money import ZERO, to_decimal

NEW_YORK = "America/New_York"


def _dec(value: Any, field: str) -> Decimal:
    if value is None:
        raise ValueError(f"{field} is missing")
    return to_decimal(value, field=field)


def _opt(value: Any, field: str) -> Decimal | None:
    return None if value in (None, "") else to_decimal(value, field=field)


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value))


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def account(model: TradeAccount) -> AccountInfo:
    cash = _dec(model.cash, "account.cash")
    long_value = _opt(model.long_market_value, "account.long_market_value") or ZERO
    equity = _opt(model.equity, "account.equity")
    return AccountInfo(
        account_id=str(model.id),
        account_number=model.account_number,
        status=_enum(model.status),
        currency=model.currency or "USD",
        cash=cash,
        equity=equity if equity is not None else cash + long_value,
        buying_power=_opt(model.buying_power, "account.buying_power") or ZERO,
        long_market_value=long_value,
        trading_blocked=bool(model.trading_blocked),
        account_blocked=bool(model.account_blocked),
    )


def position(model: AlpacaPosition) -> Position:
    qty = _dec(model.qty, f"{model.symbol}.qty")
    price = _opt(model.current_price, f"{model.symbol}.current_price")
    value = _opt(model.market_value, f"{model.symbol}.market_value")
    if price is None:
        if value is None or qty == 0:
            raise ValueError(f"position {model.symbol} has neither current_price nor market_value")
        price = value / qty
    if value is None:
        value = qty * price
    cost = _dec(model.cost_basis, f"{model.symbol}.cost_basis")
    return Position(
        symbol=model.symbol,
        qty=qty,
        avg_entry_price=_dec(model.avg_entry_price, f"{model.symbol}.avg_entry_price"),
        current_price=price,
        market_value=value,
        cost_basis=cost,
        unrealized_pl=_opt(model.unrealized_pl, f"{model.symbol}.unrealized_pl") or value - cost,
        asset_id=str(model.asset_id),
    )


def order(model: AlpacaOrder) -> Order:
    return Order(
        order_id=str(model.id),
        client_order_id=model.client_order_id,
        symbol=model.symbol or "",
        side=Side(_enum(model.side)),
        order_type=_enum(model.type or model.order_type),
        time_in_force=_enum(model.time_in_force),
        status=_enum(model.status),
        qty=_opt(model.qty, "order.qty"),
        notional=_opt(model.notional, "order.notional"),
        filled_qty=_opt(model.filled_qty, "order.filled_qty") or ZERO,
        filled_avg_price=_opt(model.filled_avg_price, "order.filled_avg_price"),
        limit_price=_opt(model.limit_price, "order.limit_price"),
        stop_price=_opt(model.stop_price, "order.stop_price"),
        submitted_at=_utc(model.submitted_at),
        created_at=_utc(model.created_at),  # type: ignore[arg-type]
        trail_percent=_opt(model.trail_percent, "order.trail_percent"),
    )


def fill(raw: dict[str, Any]) -> Fill:
    """One FILL activity dict as the Trading API sends it (alpaca-py has no model for it)."""
    if not isinstance(raw, dict):
        raise ValueError("an account activity is not an object")
    when = raw["transaction_time"]
    return Fill(
        activity_id=str(raw["id"]),
        order_id=str(raw["order_id"]),
        symbol=str(raw["symbol"]),
        side=Side(str(raw["side"]).lower()),
        qty=_dec(raw["qty"], "activity.qty"),
        price=_dec(raw["price"], "activity.price"),
        transaction_time=_utc(datetime.fromisoformat(str(when).replace("Z", "+00:00"))),  # type: ignore[arg-type]
        fill_type=str(raw.get("type", "fill")),
        cum_qty=_dec(raw.get("cum_qty", raw["qty"]), "activity.cum_qty"),
        leaves_qty=_dec(raw.get("leaves_qty", "0"), "activity.leaves_qty"),
    )


def asset(model: AlpacaAsset) -> Asset:
    return Asset(
        symbol=model.symbol,
        name=model.name or model.symbol,
        exchange=_enum(model.exchange),
        tradable=bool(model.tradable),
        fractionable=bool(model.fractionable),
        status=_enum(model.status),
        asset_id=str(model.id),
    )


def clock(model: AlpacaClock) -> MarketClock:
    return MarketClock(
        timestamp=_utc(model.timestamp),  # type: ignore[arg-type]
        is_open=bool(model.is_open),
        next_open=_utc(model.next_open),  # type: ignore[arg-type]
        next_close=_utc(model.next_close),  # type: ignore[arg-type]
    )


def trading_day(model: AlpacaCalendar) -> TradingDay:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(NEW_YORK)
    # alpaca-py parses calendar times as naive New York wall-clock times.
    return TradingDay(
        day=model.date,
        open=_utc(model.open.replace(tzinfo=zone)),  # type: ignore[arg-type]
        close=_utc(model.close.replace(tzinfo=zone)),  # type: ignore[arg-type]
    )


def price(value: float | str | None, field: str) -> Decimal:
    if value is None:
        raise ValueError(f"{field} is missing")
    return to_decimal(value, field=field)
