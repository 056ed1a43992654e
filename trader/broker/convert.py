"""Conversions from the Trading API's JSON into the project's domain values.

The adapter asks alpaca-py for raw JSON (``raw_data=True``) and parses it here,
leniently where Alpaca is loose and strictly where money is concerned:
- money and quantities arrive as strings and go straight to ``Decimal``; a missing
  or malformed amount raises, and the adapter turns that into ``MalformedResponse``
  before anything reaches the store;
- unknown enum values (a new order status, exchange or account status), empty
  fields and missing deprecated ones (``easy_to_borrow``) pass through as text;
- positions, orders and fills that ``trader`` does not trade (crypto, options,
  multi-leg and IPO orders, shorts) become :class:`ForeignRecord`\\ s that keep the
  broker's JSON verbatim: reported and stored, never weighed, bought or sold.

The market-data models hold floats: those pass through ``repr`` so a price such
as 185.1 stays 185.1.

Every price, quantity, amount, boolean and symbol passes the checks of ``values`` on
the way in (a price of 0, a billion shares, ``"false"`` for a boolean...); a stock held
twice is an error too. A symbol outside Alpaca's grammar makes its record foreign, its
symbol shown escaped, and any control character in a text is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from trader.broker import values
from trader.core.domain import (
    AccountInfo,
    Asset,
    CorporateAction,
    Fill,
    ForeignRecord,
    MarketClock,
    Order,
    Position,
    Side,
    TradingDay,
)
from trader.core.money import ZERO
from trader.core.symbols import EQUITY, symbol_class

NEW_YORK = "America/New_York"
SIMPLE_ORDER_CLASSES = frozenset({"", "simple"})


def _object(raw: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{what} is not an object")
    return raw


def _required(raw: Mapping[str, Any], name: str, what: str) -> Any:
    value = raw.get(name)
    if value is None:
        raise ValueError(f"{what}.{name} is missing")
    return value


def _text(value: Any) -> str:
    """A broker's text, with any control character (a terminal escape code) escaped."""
    text = "" if value is None else str(getattr(value, "value", value))
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _symbol_text(value: Any) -> str:
    """A symbol to show: as sent when in Alpaca's grammar, else escaped (once)."""
    return values.shown("" if value is None else str(value))


def _when(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise ValueError(f"{field} is missing")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when_opt(value: Any, field: str) -> datetime | None:
    return None if value in (None, "") else _when(value, field)


def _foreign(kind: str, raw: Mapping[str, Any], asset_class: str, reason: str) -> ForeignRecord:
    symbol = _symbol_text(raw.get("symbol"))
    legs = raw.get("legs")
    if not symbol and isinstance(legs, list):  # a multi-leg order names its legs only
        symbol = "+".join(
            _symbol_text(leg.get("symbol")) for leg in legs if isinstance(leg, Mapping)
        )
    return ForeignRecord(
        kind=kind,
        symbol=symbol,
        asset_class=asset_class,
        reason=reason,
        raw_json=json.dumps(raw, sort_keys=True, default=str),
    )


def account(raw: Any) -> AccountInfo:
    raw = _object(raw, "the account")
    cash = values.amount(raw.get("cash"), "account.cash")
    long_value = (
        values.amount_opt(raw.get("long_market_value"), "account.long_market_value", signed=False)
        or ZERO
    )
    equity = values.amount_opt(raw.get("equity"), "account.equity")
    return AccountInfo(
        account_id=str(_required(raw, "id", "account")),
        account_number=str(_required(raw, "account_number", "account")),
        status=_text(_required(raw, "status", "account")),
        currency=_text(raw.get("currency")) or "USD",
        cash=cash,
        equity=equity if equity is not None else cash + long_value,
        buying_power=values.amount_opt(raw.get("buying_power"), "account.buying_power") or ZERO,
        long_market_value=long_value,
        trading_blocked=values.flag(raw, "trading_blocked", "account.trading_blocked"),
        account_blocked=values.flag(raw, "account_blocked", "account.account_blocked"),
        multiplier=_multiplier(raw.get("multiplier")),
        pattern_day_trader=values.flag(raw, "pattern_day_trader", "account.pattern_day_trader")
        if raw.get("pattern_day_trader") is not None
        else None,
    )


def _multiplier(value: Any) -> Decimal:
    multiplier = values.number_opt(value, "account.multiplier")
    if multiplier is None:
        return Decimal(1)
    if not Decimal(1) <= multiplier <= Decimal(4):
        raise ValueError(f"account.multiplier: {multiplier} is not between 1 and 4")
    return multiplier


def _unknown_symbol(kind: str, raw: Mapping[str, Any], symbol: str) -> ForeignRecord | None:
    """A record whose symbol is outside Alpaca's grammar is foreign, never traded."""
    if values.valid_symbol(symbol):
        return None
    return _foreign(kind, raw, "unknown", "a symbol outside Alpaca's grammar")


def position(raw: Any) -> Position | ForeignRecord:
    raw = _object(raw, "a position")
    symbol = str(_required(raw, "symbol", "position"))
    unknown = _unknown_symbol("position", raw, symbol)
    if unknown is not None:
        return unknown
    asset_class = _text(raw.get("asset_class")) or symbol_class(symbol)
    if asset_class != EQUITY:
        return _foreign("position", raw, asset_class, f"asset class {asset_class}")
    if _text(raw.get("side")).lower() == "short":
        return _foreign("position", raw, asset_class, "a short position")
    qty = values.quantity(raw.get("qty"), f"{symbol}.qty")
    price = values.price_opt(raw.get("current_price"), f"{symbol}.current_price")
    value = values.amount_opt(raw.get("market_value"), f"{symbol}.market_value", signed=False)
    if price is None:
        if value is None or qty == 0:
            raise ValueError(f"position {symbol} has neither current_price nor market_value")
        price = values.checked_price(value / qty, f"{symbol}.market_value / qty")
    if value is None:
        value = qty * price
    cost = values.amount(raw.get("cost_basis"), f"{symbol}.cost_basis", signed=False)
    unrealized = values.amount_opt(raw.get("unrealized_pl"), f"{symbol}.unrealized_pl")
    available = values.quantity_opt(raw.get("qty_available"), f"{symbol}.qty_available")
    if available is not None and available > qty:
        raise ValueError(f"{symbol}.qty_available: {available} is more than the {qty} held")
    avg_entry = values.number(raw.get("avg_entry_price"), f"{symbol}.avg_entry_price")
    if avg_entry < 0 or avg_entry > values.MAX_PRICE:
        raise ValueError(f"{symbol}.avg_entry_price: {avg_entry} is not a price")
    return Position(
        symbol=symbol,
        qty=qty,
        avg_entry_price=avg_entry,
        current_price=price,
        market_value=value,
        cost_basis=cost,
        unrealized_pl=unrealized or value - cost,
        asset_id=_text(raw.get("asset_id")),
        qty_available=available,
    )


def stock_positions(raws: Any) -> tuple[list[Position], list[ForeignRecord]]:
    """A list of positions split into stocks and the rest; a stock held twice is an error."""
    if not isinstance(raws, list):
        raise ValueError("the positions are not a list")
    ours: list[Position] = []
    foreign: list[ForeignRecord] = []
    seen: set[str] = set()
    for raw in raws:
        parsed = position(raw)
        if isinstance(parsed, ForeignRecord):
            foreign.append(parsed)
            continue
        if parsed.symbol in seen:
            raise ValueError(f"position {parsed.symbol} appears twice")
        seen.add(parsed.symbol)
        ours.append(parsed)
    return ours, foreign


def _order_foreign_reason(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """(asset class, reason) when an order is not a simple buy or sell of a stock."""
    symbol = _text(raw.get("symbol"))
    asset_class = _text(raw.get("asset_class")) or (symbol_class(symbol) if symbol else "")
    order_class = _text(raw.get("order_class"))
    side = _text(raw.get("side"))
    if order_class not in SIMPLE_ORDER_CLASSES:
        return asset_class or order_class, f"a {order_class} order"
    if asset_class != EQUITY:
        return asset_class, f"asset class {asset_class or 'unknown'}"
    if side not in ("buy", "sell"):
        return asset_class, f"order side {side or 'empty'}"
    return None


def order(raw: Any) -> Order | ForeignRecord:
    raw = _object(raw, "an order")
    symbol = _text(raw.get("symbol"))
    unknown = _unknown_symbol("order", raw, symbol) if symbol else None
    if unknown is not None:
        return unknown
    foreign = _order_foreign_reason(raw)
    if foreign is not None:
        return _foreign("order", raw, *foreign)
    qty = values.quantity_opt(raw.get("qty"), "order.qty", positive=True)
    filled = values.quantity_opt(raw.get("filled_qty"), "order.filled_qty") or ZERO
    if qty is not None and filled > qty:
        raise ValueError(f"order.filled_qty: {filled} is more than the order's qty {qty}")
    return Order(
        order_id=str(_required(raw, "id", "order")),
        client_order_id=_text(raw.get("client_order_id")),
        symbol=str(_required(raw, "symbol", "order")),
        side=Side(_text(raw.get("side"))),
        order_type=_text(raw.get("type") or raw.get("order_type")),
        time_in_force=_text(raw.get("time_in_force")),
        status=_text(_required(raw, "status", "order")),
        qty=qty,
        notional=values.amount_opt(raw.get("notional"), "order.notional", signed=False),
        filled_qty=filled,
        filled_avg_price=values.price_opt(raw.get("filled_avg_price"), "order.filled_avg_price"),
        limit_price=values.price_opt(raw.get("limit_price"), "order.limit_price"),
        stop_price=values.price_opt(raw.get("stop_price"), "order.stop_price"),
        submitted_at=_when_opt(raw.get("submitted_at"), "order.submitted_at"),
        created_at=_when(raw.get("created_at"), "order.created_at"),
        trail_percent=values.number_opt(raw.get("trail_percent"), "order.trail_percent"),
    )


def equity_orders(raws: Any) -> tuple[list[Order], list[ForeignRecord]]:
    """A list of orders split into the stock orders ``trader`` manages and the rest."""
    if not isinstance(raws, list):
        raise ValueError("the orders are not a list")
    ours: list[Order] = []
    foreign: list[ForeignRecord] = []
    for raw in raws:
        parsed = order(raw)
        (foreign if isinstance(parsed, ForeignRecord) else ours).append(parsed)  # type: ignore[arg-type]
    return ours, foreign


def fill(raw: Any) -> Fill | ForeignRecord:
    """One FILL activity as the Trading API sends it (alpaca-py has no model for it)."""
    raw = _object(raw, "an account activity")
    kind = _text(raw.get("activity_type")) or "FILL"
    if kind != "FILL":
        return _foreign(
            "activity", raw, symbol_class(_text(raw.get("symbol"))), f"a {kind} activity"
        )
    symbol = str(_required(raw, "symbol", "activity"))
    unknown = _unknown_symbol("activity", raw, symbol)
    if unknown is not None:
        return unknown
    side = _text(raw.get("side")).lower()
    asset_class = symbol_class(symbol)
    if asset_class != EQUITY:
        return _foreign("activity", raw, asset_class, f"a fill of asset class {asset_class}")
    if side not in ("buy", "sell"):
        return _foreign("activity", raw, asset_class, f"a {side or 'sideless'} fill")
    return Fill(
        activity_id=str(_required(raw, "id", "activity")),
        order_id=str(_required(raw, "order_id", "activity")),
        symbol=symbol,
        side=Side(side),
        qty=values.quantity(raw.get("qty"), "activity.qty", positive=True),
        price=values.price(raw.get("price"), "activity.price"),
        transaction_time=_when(raw.get("transaction_time"), "activity.transaction_time"),
        fill_type=_text(raw.get("type")) or "fill",
        cum_qty=values.quantity(raw.get("cum_qty", raw.get("qty")), "activity.cum_qty"),
        leaves_qty=values.quantity(raw.get("leaves_qty", "0"), "activity.leaves_qty"),
    )


def corporate_action(raw: Any) -> CorporateAction:
    """One non-trade activity about a security (SPLIT, DIV, SPIN, MA, NC, ...).

    Its day is the activity's ``date`` (a date, or a date-time whose day is taken);
    ``qty``, ``price`` and ``net_amount`` are kept when present.
    """
    raw = _object(raw, "an account activity")
    kind = _text(_required(raw, "activity_type", "activity")).upper()
    day_text = str(_required(raw, "date", "activity"))
    try:
        day = date.fromisoformat(day_text[:10])
    except ValueError:
        raise ValueError(f"activity.date {day_text!r} is not a date") from None
    return CorporateAction(
        activity_id=str(_required(raw, "id", "activity")),
        kind=kind,
        sub_type=_text(raw.get("activity_sub_type")),
        symbol=_symbol_text(raw.get("symbol")),
        day=day,
        qty=values.number_opt(raw.get("qty"), "activity.qty"),
        price=values.number_opt(raw.get("price"), "activity.price"),
        net_amount=values.number_opt(raw.get("net_amount"), "activity.net_amount"),
        group_id=_text(raw.get("group_id")),
        description=_text(raw.get("description")),
        raw_json=json.dumps(raw, sort_keys=True, default=str),
    )


def asset(raw: Any) -> Asset:
    raw = _object(raw, "an asset")
    symbol = str(_required(raw, "symbol", "asset"))
    if not values.valid_symbol(symbol):
        raise ValueError(f"asset symbol {values.shown(symbol)} is outside Alpaca's grammar")
    return Asset(
        symbol=symbol,
        name=_text(raw.get("name")) or symbol,
        exchange=_text(raw.get("exchange")),
        tradable=values.flag(raw, "tradable", f"{symbol}.tradable"),
        fractionable=values.flag(raw, "fractionable", f"{symbol}.fractionable"),
        status=_text(raw.get("status")) or "active",
        asset_id=_text(raw.get("id")),
    )


def clock(raw: Any) -> MarketClock:
    raw = _object(raw, "the clock")
    return MarketClock(
        timestamp=_when(raw.get("timestamp"), "clock.timestamp"),
        is_open=values.flag(raw, "is_open", "clock.is_open"),
        next_open=_when(raw.get("next_open"), "clock.next_open"),
        next_close=_when(raw.get("next_close"), "clock.next_close"),
    )


def trading_day(raw: Any) -> TradingDay:
    """One calendar day; its open and close are New York wall-clock times ("09:30")."""
    from zoneinfo import ZoneInfo

    raw = _object(raw, "a calendar day")
    zone = ZoneInfo(NEW_YORK)
    day = date.fromisoformat(str(_required(raw, "date", "calendar")))

    def at(name: str) -> datetime:
        text = str(_required(raw, name, "calendar"))
        hour, minute = (int(part) for part in text.split(":")[:2])
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)

    return TradingDay(day=day, open=at("open"), close=at("close"))


def price(value: float | str | None, field: str) -> Decimal:
    """A market-data price: positive, finite and in the sane range."""
    return values.price(value, field)
