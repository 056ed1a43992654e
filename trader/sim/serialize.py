"""The sim's records as Alpaca's Trading API sends them: JSON-ready dicts with string decimals.

Money and quantities go out as decimal strings (alpaca-py's account and position
models refuse JSON numbers there); instants as RFC 3339 in UTC with a ``Z``,
except the clock, which Alpaca reports in New York time with an offset.
Position values are exact (``market_value`` is exactly ``qty * current_price`` and
equity is exactly cash plus market value) so a client can check its arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from trader.core.money import ZERO, plain
from trader.sim import foreign, history, margin
from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS, AssetInfo
from trader.sim.corporate import split_factor
from trader.sim.rules import buying_power
from trader.sim.state import (
    ACCOUNT_ID,
    ACCOUNT_NUMBER,
    FillActivity,
    NonTradeActivity,
    Order,
    Position,
    SimState,
)

RATIO_STEP = Decimal("0.0000000001")


def timestamp(instant: datetime | None) -> str | None:
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant or a bare date (midnight UTC), as clients send them."""
    value = text.strip().replace(" ", "+")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _ratio(numerator: Decimal, denominator: Decimal) -> str:
    if denominator == ZERO:
        return "0"
    return plain((numerator / denominator).quantize(RATIO_STEP))


def last_day_price(state: SimState, symbol: str) -> Decimal:
    """Yesterday's close: the close of the session before the latest one, in today's
    shares (divided by a split since)."""
    view = state.market_view()
    latest = cal.latest_started_session(state.now).day
    previous = cal.previous_session(latest).day
    close = Decimal(str(history.close_on(symbol, previous, view)))
    factor = split_factor(state.splits, symbol, previous)
    return close if factor == 1 else (close / factor).quantize(Decimal("0.0001"))


def position(state: SimState, held: Position) -> dict[str, Any]:
    asset = ASSETS[held.symbol]
    price = state.prices[held.symbol]
    value = held.qty * price
    cost = held.cost_basis
    lastday = last_day_price(state, held.symbol)
    intraday = (price - lastday) * held.qty
    return {
        "asset_id": asset.asset_id,
        "symbol": held.symbol,
        "exchange": asset.exchange,
        "asset_class": "us_equity",
        "asset_marginable": False,
        "qty": plain(held.qty),
        "qty_available": plain(held.qty - _promised(state, held.symbol)),
        "avg_entry_price": plain(held.avg_entry_price),
        "side": "long",
        "market_value": plain(value),
        "cost_basis": plain(cost),
        "unrealized_pl": plain(value - cost),
        "unrealized_plpc": _ratio(value - cost, cost),
        "unrealized_intraday_pl": plain(intraday),
        "unrealized_intraday_plpc": _ratio(intraday, lastday * held.qty),
        "current_price": plain(price),
        "lastday_price": plain(lastday),
        "change_today": _ratio(price - lastday, lastday),
    }


def _promised(state: SimState, symbol: str) -> Decimal:
    return sum((o.leaves_qty for o in state.open_orders(symbol) if o.side == "sell"), ZERO)


def account(state: SimState) -> dict[str, Any]:
    long_value = state.long_market_value() + foreign.market_value(state)
    equity = state.cash + long_value
    last_equity = (
        state.cash
        + sum((p.qty * last_day_price(state, p.symbol) for p in state.positions.values()), ZERO)
        + foreign.market_value(state)
    )
    power = plain(buying_power(state))
    long_only = state.long_market_value()
    cash_power = plain(max(state.cash, ZERO))
    return {
        "id": ACCOUNT_ID,
        "admin_configurations": {},
        "user_configurations": None,
        "account_number": ACCOUNT_NUMBER,
        "status": "ACTIVE",
        "crypto_status": "INACTIVE",
        "options_approved_level": 0,
        "options_trading_level": 0,
        "currency": "USD",
        "buying_power": power,
        "regt_buying_power": plain(
            max(equity - margin.initial_margin(long_only), ZERO) * 2
            if state.multiplier > 1
            else max(state.cash, ZERO)
        ),
        "effective_buying_power": power,
        "non_marginable_buying_power": cash_power,
        "options_buying_power": power,
        "bod_dtbp": "0",
        "cash": plain(state.cash),
        "accrued_fees": "0",
        "portfolio_value": plain(equity),
        "trading_blocked": state.trading_blocked,
        "transfers_blocked": False,
        "account_blocked": False,
        "created_at": timestamp(state.created_at),
        "trade_suspended_by_user": False,
        "multiplier": plain(state.multiplier),
        "shorting_enabled": False,
        "equity": plain(equity),
        "last_equity": plain(last_equity),
        "long_market_value": plain(long_value),
        "short_market_value": "0",
        "position_market_value": plain(long_value),
        "initial_margin": plain(margin.initial_margin(long_only) if state.multiplier > 1 else ZERO),
        "maintenance_margin": plain(
            margin.maintenance_margin(long_only) if state.multiplier > 1 else ZERO
        ),
        "last_maintenance_margin": plain(
            margin.maintenance_margin(long_only) if state.multiplier > 1 else ZERO
        ),
        "sma": "0",
        "crypto_tier": 0,
        "intraday_adjustments": "0",
        "pending_reg_taf_fees": "0",
    }


def order(record: Order) -> dict[str, Any]:
    return {
        "id": record.id,
        "client_order_id": record.client_order_id,
        "created_at": timestamp(record.created_at),
        "updated_at": timestamp(record.updated_at),
        "submitted_at": timestamp(record.submitted_at),
        "filled_at": timestamp(record.filled_at),
        "expired_at": timestamp(record.expired_at),
        "canceled_at": timestamp(record.canceled_at),
        "failed_at": None,
        "replaced_at": None,
        "replaced_by": None,
        "replaces": None,
        "asset_id": record.asset_id,
        "symbol": record.symbol,
        "asset_class": "us_equity",
        "notional": _opt(record.notional),
        "qty": _opt(record.qty),
        "filled_qty": plain(record.filled_qty),
        "filled_avg_price": _opt(record.filled_avg_price),
        "order_class": "simple",
        "order_type": record.type,
        "type": record.type,
        "side": record.side,
        "position_intent": "buy_to_open" if record.side == "buy" else "sell_to_close",
        "time_in_force": record.time_in_force,
        "limit_price": _opt(record.limit_price),
        "stop_price": _opt(record.stop_price),
        "status": record.status,
        "extended_hours": record.extended_hours,
        "legs": None,
        "trail_percent": _opt(record.trail_percent),
        "trail_price": _opt(record.trail_price),
        "hwm": _opt(record.hwm),
        "subtag": None,
        "source": None,
        "expires_at": timestamp(_expires_at(record)),
    }


GTC_LIFETIME_DAYS = 90  # Alpaca cancels a GTC order 90 days after it was placed


def _expires_at(record: Order) -> datetime:
    """A day order lives to the close of its session (the next one when placed while the
    market is closed); a GTC order 90 days."""
    placed = record.submitted_at
    if record.time_in_force == "gtc":
        return placed + timedelta(days=GTC_LIFETIME_DAYS)
    current = cal.current_session(placed)
    return (current or cal.next_session(placed)).close


def activity(record: FillActivity) -> dict[str, Any]:
    return {
        "id": record.id,
        "activity_type": "FILL",
        "transaction_time": timestamp(record.transaction_time),
        "type": record.type,
        "price": plain(record.price),
        "qty": plain(record.qty),
        "side": record.side,
        "symbol": record.symbol,
        "leaves_qty": plain(record.leaves_qty),
        "order_id": record.order_id,
        "cum_qty": plain(record.cum_qty),
        "order_status": record.order_status,
    }


def non_trade_activity(record: NonTradeActivity) -> dict[str, Any]:
    """A corporate action's activity, as Alpaca's ``NonTradeActivities`` (plus the
    ``price`` and ``description`` it sends with a split's legs)."""
    out: dict[str, Any] = {
        "id": record.id,
        "activity_type": record.activity_type,
        "activity_sub_type": record.activity_sub_type,
        "date": record.date.isoformat(),
        "created_at": timestamp(record.created_at),
        "net_amount": plain(record.net_amount),
        "description": record.description,
        "symbol": record.symbol,
        "currency": "USD",
        "status": record.status,
    }
    if record.group_id:
        out["group_id"] = record.group_id
    for name in ("qty", "price", "per_share_amount"):
        value = getattr(record, name)
        if value is not None:
            out[name] = plain(value)
    return out


def asset(info: AssetInfo) -> dict[str, Any]:
    return {
        "id": info.asset_id,
        "class": "us_equity",
        "exchange": info.exchange,
        "symbol": info.symbol,
        "name": info.name,
        "status": info.status,
        "tradable": info.tradable,
        "marginable": info.tradable,
        "maintenance_margin_requirement": 100,
        "margin_requirement_long": "100",
        "margin_requirement_short": "100",
        "shortable": False,
        "easy_to_borrow": False,
        "fractionable": info.fractionable,
        "attributes": ["fractional_eh_enabled"] if info.fractionable else [],
    }


def clock(now: datetime) -> dict[str, Any]:
    return {
        "timestamp": cal.local(now).isoformat(),
        "is_open": cal.is_open(now),
        "next_open": cal.next_open(now).isoformat(),
        "next_close": cal.next_close(now).isoformat(),
    }


def calendar_day(session: cal.Session) -> dict[str, Any]:
    settlement = cal.next_session(session.close).day  # T+1: the next trading day
    return {
        "date": session.day.isoformat(),
        "open": session.open.strftime("%H:%M"),
        "close": session.close.strftime("%H:%M"),
        "session_open": "0400",
        "session_close": "2000",
        "settlement_date": settlement.isoformat(),
    }
