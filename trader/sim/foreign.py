"""What a real account may hold that ``trader`` does not trade, for the sim to serve.

Crypto and option positions, an open multi-leg options order, a crypto fill and a
short sale's fill, in the shapes of Alpaca's published examples. They are kept as
JSON objects and served verbatim beside the sim's own stock positions, orders and
activities; the sim's stock trading never touches them. Their market value counts
in the account's equity, as Alpaca's does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from trader.core.money import plain
from trader.sim.state import FillActivity, SimState, activity_id


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def position(
    state: SimState, symbol: str, asset_class: str, qty: Decimal, price: Decimal, cost: Decimal
) -> dict[str, Any]:
    value = qty * price
    return {
        "asset_id": state.next_uuid(f"foreign-asset:{symbol}"),
        "symbol": symbol,
        "exchange": "",  # the published position schema knows no crypto exchange
        "asset_class": asset_class,
        "asset_marginable": False,
        "avg_entry_price": plain(cost),
        "qty": plain(qty),
        "qty_available": plain(qty),
        "side": "long",
        "market_value": plain(value),
        "cost_basis": plain(qty * cost),
        "unrealized_pl": plain(value - qty * cost),
        "unrealized_plpc": "0",
        "unrealized_intraday_pl": "0",
        "unrealized_intraday_plpc": "0",
        "current_price": plain(price),
        "lastday_price": plain(price),
        "change_today": "0",
    }


def _leg(state: SimState, symbol: str, side: str, intent: str, when: datetime) -> dict[str, Any]:
    return {
        "id": state.next_uuid("foreign-leg"),
        "client_order_id": state.next_uuid("foreign-leg-client"),
        "created_at": _stamp(when),
        "updated_at": _stamp(when),
        "submitted_at": _stamp(when),
        "filled_at": None,
        "expired_at": None,
        "canceled_at": None,
        "failed_at": None,
        "replaced_at": None,
        "replaced_by": None,
        "replaces": None,
        "asset_id": state.next_uuid(f"foreign-asset:{symbol}"),
        "symbol": symbol,
        "asset_class": "us_option",
        "notional": None,
        "qty": "1",
        "filled_qty": "0",
        "filled_avg_price": None,
        "order_class": "mleg",
        "order_type": "",
        "type": "",
        "side": side,
        "position_intent": intent,
        "ratio_qty": "1",
        "time_in_force": "day",
        "limit_price": None,
        "stop_price": None,
        "status": "new",
        "extended_hours": False,
        "legs": None,
        "trail_percent": None,
        "trail_price": None,
        "hwm": None,
        "source": None,
        "subtag": None,
    }


def multileg_order(state: SimState, long_leg: str, short_leg: str) -> dict[str, Any]:
    """An open call spread: ``side`` and ``symbol`` empty, the legs carry them."""
    when = state.now
    order = _leg(state, "", "", "", when)
    order.update(
        {
            "asset_id": "",
            "asset_class": "",
            "symbol": "",
            "side": "",
            "order_type": "limit",
            "type": "limit",
            "limit_price": "1.25",
            "legs": [
                _leg(state, long_leg, "buy", "buy_to_open", when),
                _leg(state, short_leg, "sell", "sell_to_open", when),
            ],
        }
    )
    for name in ("position_intent", "ratio_qty"):
        order.pop(name)
    return order


def _activity(
    state: SimState, symbol: str, side: str, qty: str, price: str, when: datetime
) -> FillActivity:
    ident = state.next_uuid("foreign-activity")
    return FillActivity(
        id=activity_id(when, ident),
        order_id=state.next_uuid("foreign-order"),
        symbol=symbol,
        side=side,
        qty=Decimal(qty),
        price=Decimal(price),
        transaction_time=when,
        type="fill",
        cum_qty=Decimal(qty),
        leaves_qty=Decimal(0),
        order_status="filled",
    )


def add_examples(state: SimState) -> None:
    """A BTCUSD and an option position, an open call spread, and a crypto and a short
    sale's fill from the week before."""
    state.foreign_positions.extend(
        [
            position(
                state, "BTCUSD", "crypto", Decimal("0.0125"), Decimal("91000"), Decimal("64000")
            ),
            position(
                state,
                "AAPL270115C00250000",
                "us_option",
                Decimal("1"),
                Decimal("310"),
                Decimal("280"),
            ),
        ]
    )
    state.foreign_orders.append(multileg_order(state, "AAPL270115C00260000", "AAPL270115C00270000"))
    week_ago = state.now - timedelta(days=7)
    state.activities.extend(
        [
            _activity(state, "BTC/USD", "buy", "0.0125", "64000", week_ago),
            _activity(state, "AAPL", "sell_short", "2", "231.50", week_ago + timedelta(hours=1)),
        ]
    )
    state.activities.sort(key=lambda a: a.transaction_time)


def market_value(state: SimState) -> Decimal:
    return sum((Decimal(p["market_value"]) for p in state.foreign_positions), Decimal(0))
