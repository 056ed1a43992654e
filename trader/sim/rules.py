"""Order validation: the checks the real broker makes, with its status codes and messages.

``new_order`` reads a ``POST /v2/orders`` body the way Alpaca does (numbers may be
JSON numbers or strings), checks it against the account and answers either a new
order in status ``accepted`` or an ``ApiError``. The messages are Alpaca's own
where they are known (see /work/shared/ALPACA.md), because callers match on them.

Money checks use the account as a cash account: buying power is cash less what
open buy orders already reserve, and what is available to sell is what is held
less what open sell orders already promise.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from trader.core.money import ZERO, plain
from trader.sim import margin
from trader.sim.assets import AssetInfo, find_asset
from trader.sim.errors import (
    CODE_BAD_REQUEST,
    ApiError,
    forbidden,
    unprocessable,
)
from trader.sim.state import Order, SimState

ORDER_TYPES = frozenset({"market", "limit", "stop", "stop_limit", "trailing_stop"})
SUPPORTED_TIME_IN_FORCE = frozenset({"day", "gtc"})
KNOWN_TIME_IN_FORCE = frozenset({"day", "gtc", "opg", "cls", "ioc", "fok"})
FRACTIONAL_TYPES = frozenset({"market", "limit", "stop", "stop_limit"})
MAX_DECIMALS = 9
MAX_CLIENT_ORDER_ID = 128
MIN_NOTIONAL = Decimal(1)


def _number(body: dict[str, Any], name: str) -> Decimal | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise unprocessable(f"invalid {name}", CODE_BAD_REQUEST)
    try:
        # JSON floats arrive as Python floats: repr keeps 2.5 as 2.5, not its binary expansion.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise unprocessable(f"invalid {name}: {value!r}", CODE_BAD_REQUEST) from None
    if not number.is_finite():
        raise unprocessable(f"invalid {name}: {value!r}", CODE_BAD_REQUEST)
    return number


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _check_price(name: str, value: Decimal | None) -> None:
    if value is None:
        return
    if value <= ZERO:
        raise unprocessable(f"{name} must be > 0", CODE_BAD_REQUEST)
    allowed = 2 if value >= 1 else 4
    if _decimals(value) > allowed:
        raise unprocessable(
            f"invalid {name} {plain(value)}. sub-penny increment does not fulfill minimum pricing criteria"
        )


def _asset(symbol: object) -> AssetInfo:
    if not isinstance(symbol, str) or not symbol.strip():
        raise unprocessable("symbol is required", CODE_BAD_REQUEST)
    asset = find_asset(symbol.strip())
    if asset is None or len(symbol.strip()) > 12:
        raise unprocessable(f'could not find asset "{symbol.strip().upper()}"', CODE_BAD_REQUEST)
    if not asset.tradable or asset.status != "active":
        raise unprocessable(f'asset "{asset.symbol}" is not tradable')
    return asset


def reference_price(order: Order, state: SimState) -> Decimal:
    """The price an order is expected to trade at, for reserving buying power."""
    if order.type in ("limit", "stop_limit") and order.limit_price is not None:
        return order.limit_price
    if order.type == "stop" and order.stop_price is not None:
        return max(order.stop_price, state.prices[order.symbol])
    return state.prices[order.symbol]


def reserved_cash(state: SimState) -> Decimal:
    """What open buy orders hold back from buying power."""
    total = ZERO
    for order in state.open_orders():
        if order.side != "buy":
            continue
        if order.target_qty is None and order.notional is not None:
            total += order.notional
        else:
            total += order.leaves_qty * reference_price(order, state)
    return total


def buying_power(state: SimState) -> Decimal:
    """Cash for a cash account; for a margin account, Alpaca's definition by multiplier
    (see ``margin``), from the current equity. Open buy orders hold part of it back."""
    if state.multiplier <= 1:
        return max(state.cash - reserved_cash(state), ZERO)
    equity = state.cash + state.long_market_value()
    return max(margin.account_buying_power(state, equity, equity) - reserved_cash(state), ZERO)


def available_to_sell(state: SimState, symbol: str) -> Decimal:
    promised = sum(
        (o.leaves_qty if o.target_qty is not None else ZERO)
        for o in state.open_orders(symbol)
        if o.side == "sell"
    )
    return state.held(symbol) - promised


def _check_amounts(
    body: dict[str, Any], asset: AssetInfo, order_type: str, time_in_force: str, closing: bool
) -> tuple[Decimal | None, Decimal | None]:
    qty, notional = _number(body, "qty"), _number(body, "notional")
    if qty is not None and notional is not None:
        raise unprocessable("only one of qty or notional is accepted", CODE_BAD_REQUEST)
    if qty is None and notional is None:
        raise unprocessable("qty or notional is required", CODE_BAD_REQUEST)
    amount = qty if qty is not None else notional
    assert amount is not None
    name = "qty" if qty is not None else "notional"
    if amount <= ZERO:
        raise unprocessable(f"{name} must be > 0", CODE_BAD_REQUEST)
    if _decimals(amount) > MAX_DECIMALS:
        raise unprocessable(
            f"{name} must have at most {MAX_DECIMALS} decimal places", CODE_BAD_REQUEST
        )
    if notional is not None:
        if order_type != "market" or time_in_force != "day":
            raise unprocessable("notional orders must be market DAY orders")
        if _decimals(notional) > 2:
            raise unprocessable("notional must be limited to 2 decimal places", CODE_BAD_REQUEST)
    fractional = notional is not None or (qty is not None and qty != qty.to_integral_value())
    if fractional:
        if not asset.fractionable and not closing:
            raise unprocessable(
                f'fractional orders are not supported for "{asset.symbol}": the asset is not fractionable'
            )
        if time_in_force != "day":
            raise unprocessable("fractional orders must be DAY orders")
        if order_type not in FRACTIONAL_TYPES:
            raise unprocessable(
                "fractional orders must be market, limit, stop, or stop limit orders"
            )
    if notional is not None and notional < MIN_NOTIONAL:
        raise forbidden("cost basis must be >= 1")
    return qty, notional


def _check_prices(body: dict[str, Any], order_type: str) -> dict[str, Decimal | None]:
    prices = {name: _number(body, name) for name in ("limit_price", "stop_price")}
    trail = {name: _number(body, name) for name in ("trail_percent", "trail_price")}
    if order_type in ("limit", "stop_limit") and prices["limit_price"] is None:
        raise unprocessable("limit_price is required", CODE_BAD_REQUEST)
    if order_type in ("stop", "stop_limit") and prices["stop_price"] is None:
        raise unprocessable("stop_price is required", CODE_BAD_REQUEST)
    if order_type == "trailing_stop":
        given = [name for name, value in trail.items() if value is not None]
        if len(given) != 1:
            raise unprocessable(
                "exactly one of trail_percent or trail_price is required", CODE_BAD_REQUEST
            )
        value = trail[given[0]]
        assert value is not None
        if value <= ZERO or (given[0] == "trail_percent" and value >= 100):
            raise unprocessable(f"invalid {given[0]} {plain(value)}", CODE_BAD_REQUEST)
        if given[0] == "trail_price":
            _check_price("trail_price", value)
    for name, value in prices.items():
        if (
            value is not None
            and order_type not in ("limit", "stop_limit")
            and name == "limit_price"
        ):
            raise unprocessable(
                f"limit_price is not allowed for {order_type} orders", CODE_BAD_REQUEST
            )
        _check_price(name, value)
    return {**prices, **trail}


def _enum(body: dict[str, Any], name: str, allowed: frozenset[str]) -> str:
    value = body.get(name)
    if not isinstance(value, str) or value.lower() not in allowed:
        raise unprocessable(f"invalid {name} {value!r}", CODE_BAD_REQUEST)
    return value.lower()


def new_order(body: object, state: SimState, *, closing: bool = False) -> Order:
    """Check an order request against the account; the order it becomes, or an ``ApiError``.

    ``closing`` marks the liquidation of a whole position, which may be fractional
    even in an asset that no longer takes fractional orders.
    """
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object", CODE_BAD_REQUEST)
    client_order_id = body.get("client_order_id") or None
    if client_order_id is not None:
        if not isinstance(client_order_id, str) or len(client_order_id) > MAX_CLIENT_ORDER_ID:
            raise unprocessable(
                "client_order_id must be no more than 128 characters", CODE_BAD_REQUEST
            )
        if client_order_id in state.client_order_ids:
            raise unprocessable("client_order_id must be unique", CODE_BAD_REQUEST)
    order_class = body.get("order_class") or "simple"
    if order_class != "simple":
        raise unprocessable(f"order_class {order_class!r} is not supported by the sim")
    asset = _asset(body.get("symbol"))
    side = _enum(body, "side", frozenset({"buy", "sell"}))
    order_type = _enum(body, "type", ORDER_TYPES)
    time_in_force = _enum(body, "time_in_force", KNOWN_TIME_IN_FORCE)
    if time_in_force not in SUPPORTED_TIME_IN_FORCE:
        raise unprocessable(f"time_in_force {time_in_force} is not supported by the sim")
    if body.get("extended_hours") is True:
        raise unprocessable("extended hours orders must be DAY limit orders")
    qty, notional = _check_amounts(body, asset, order_type, time_in_force, closing)
    prices = _check_prices(body, order_type)
    symbol = asset.symbol
    if any(o.side != side for o in state.open_orders(symbol)):
        raise forbidden("potential wash trade detected. use complex orders")
    price = state.prices[symbol]
    if side == "sell":
        available = available_to_sell(state, symbol)
        requested = qty if qty is not None else (notional or ZERO) / price
        if requested > available:
            raise forbidden(
                f"insufficient qty available for order (requested: {plain(requested)}, available: {plain(available)})"
            )
    else:
        draft_price = prices["limit_price"] or prices["stop_price"] or price
        if order_type == "market" and state.multiplier > 1:
            draft_price = price * (1 + margin.MARKET_BUY_CHECK)
        cost = notional if notional is not None else (qty or ZERO) * max(draft_price, ZERO)
        if cost > buying_power(state):
            raise forbidden("insufficient buying power")
    order_id = state.next_uuid("order")
    now = state.now
    return Order(
        id=order_id,
        client_order_id=client_order_id or state.next_uuid("client-order"),
        symbol=symbol,
        asset_id=asset.asset_id,
        side=side,
        type=order_type,
        time_in_force=time_in_force,
        status="accepted",
        created_at=now,
        submitted_at=now,
        updated_at=now,
        qty=qty,
        notional=notional,
        limit_price=prices["limit_price"],
        stop_price=prices["stop_price"],
        trail_percent=prices["trail_percent"],
        trail_price=prices["trail_price"],
        hwm=price if order_type == "trailing_stop" else None,
    )
