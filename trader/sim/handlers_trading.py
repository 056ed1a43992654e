"""Trading API handlers: account, positions and orders (``/v2/account``, ``/v2/positions``, ``/v2/orders``).

An order submission answers with the order as just accepted (status ``accepted``,
nothing filled), exactly as Alpaca's ``POST /v2/orders`` does; if the market is
open the engine then works the order at once, so the next read may show it filled.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from trader.core.money import ZERO, plain
from trader.sim import engine, rules, serialize
from trader.sim.app import SimApp
from trader.sim.assets import find_asset
from trader.sim.errors import CODE_BAD_REQUEST, CODE_FORBIDDEN, ApiError, not_found, unprocessable
from trader.sim.routing import Request, Response, Router
from trader.sim.state import Order, SimState

MAX_ORDERS = 500


def get_account(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        return Response(body=serialize.account(state))


def list_positions(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        held = sorted(state.positions.values(), key=lambda p: p.symbol)
        return Response(
            body=[serialize.position(state, p) for p in held] + list(state.foreign_positions)
        )


def _position_symbol(state: SimState, symbol_or_id: str) -> str:
    asset = find_asset(symbol_or_id)
    if asset is None or asset.symbol not in state.positions:
        raise not_found("position does not exist")
    return asset.symbol


def get_position(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        symbol = _position_symbol(state, request.groups[0])
        return Response(body=serialize.position(state, state.positions[symbol]))


def _submit(app: SimApp, state: SimState, body: dict[str, object], closing: bool = False) -> dict:
    if state.trading_blocked:
        raise ApiError(403, "account is not authorized to trade", CODE_FORBIDDEN)
    order = rules.new_order(body, state, closing=closing)
    state.orders[order.id] = order
    state.client_order_ids[order.client_order_id] = order.id
    answer = serialize.order(order)
    app.process(state)
    return answer


def _closing_qty(request: Request, held: Decimal) -> Decimal:
    qty, percentage = request.text("qty"), request.text("percentage")
    try:
        if qty is not None:
            return Decimal(qty)
        if percentage is not None:
            share = Decimal(percentage)
            if not ZERO < share <= 100:
                raise unprocessable("percentage must be > 0 and <= 100", CODE_BAD_REQUEST)
            return (held * share / 100).quantize(Decimal("0.000000001")).normalize()
    except InvalidOperation:
        raise unprocessable("invalid qty or percentage", CODE_BAD_REQUEST) from None
    return held


def close_position(app: SimApp, request: Request) -> Response:
    with app.changing() as state:
        symbol = _position_symbol(state, request.groups[0])
        qty = _closing_qty(request, state.positions[symbol].qty)
        body = {"symbol": symbol, "qty": plain(qty), "side": "sell", "type": "market"}
        return Response(body=_submit(app, state, {**body, "time_in_force": "day"}, closing=True))


def close_all_positions(app: SimApp, request: Request) -> Response:
    with app.changing() as state:
        if (request.text("cancel_orders") or "").lower() == "true":
            for order in state.open_orders():
                engine.cancel(state, order)
        results = []
        for symbol in sorted(state.positions):
            body = {"symbol": symbol, "qty": plain(state.positions[symbol].qty), "side": "sell"}
            try:
                answer = _submit(
                    app, state, {**body, "type": "market", "time_in_force": "day"}, closing=True
                )
                results.append(
                    {"symbol": symbol, "status": 200, "order_id": answer["id"], "body": answer}
                )
            except ApiError as refusal:
                results.append({"symbol": symbol, "status": refusal.status, "body": refusal.body()})
        return Response(status=207, body=results)


def submit_order(app: SimApp, request: Request) -> Response:
    if not isinstance(request.body, dict):
        raise ApiError(400, "request body must be a JSON object", CODE_BAD_REQUEST)
    with app.changing() as state:
        return Response(body=_submit(app, state, request.body), accepted_order=True)


def _order_filter(request: Request) -> tuple[str, int, datetime | None, datetime | None]:
    status = request.choice("status", "open", ("open", "closed", "all"))
    limit = request.integer("limit", 50, 1, MAX_ORDERS)
    return status, limit, request.instant("after"), request.instant("until")


def list_orders(app: SimApp, request: Request) -> Response:
    status, limit, after, until = _order_filter(request)
    direction = request.choice("direction", "desc", ("asc", "desc"))
    symbols = set(request.symbols())
    side = request.text("side")
    with app.reading() as state:
        chosen: list[Order] = []
        for order in state.orders.values():
            if (status == "open" and not order.is_open) or (status == "closed" and order.is_open):
                continue
            if after is not None and order.submitted_at <= after:
                continue
            if until is not None and order.submitted_at >= until:
                continue
            if (symbols and order.symbol not in symbols) or (side and order.side != side.lower()):
                continue
            chosen.append(order)
        # The dict keeps submission order, which is time order: the sim clock never goes back.
        if direction == "desc":
            chosen.reverse()
        body = [serialize.order(o) for o in chosen]
        # The orders the sim holds but does not trade are open, and have no symbol or side
        # of their own when they are multi-leg.
        if status != "closed" and not symbols and not side:
            body.extend(state.foreign_orders)
        return Response(body=body[:limit])


def _order(state: SimState, order_id: str) -> Order:
    order = state.orders.get(order_id.lower())
    if order is None:
        raise not_found(f"order not found for {order_id}")
    return order


def get_order(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        return Response(body=serialize.order(_order(state, request.groups[0])))


def get_order_by_client_id(app: SimApp, request: Request) -> Response:
    client_order_id = request.text("client_order_id")
    if client_order_id is None:
        raise unprocessable("client_order_id is required", CODE_BAD_REQUEST)
    with app.reading() as state:
        order_id = state.client_order_ids.get(client_order_id)
        if order_id is None:
            raise not_found(f"order not found for {client_order_id}")
        return Response(body=serialize.order(state.orders[order_id]))


def cancel_order(app: SimApp, request: Request) -> Response:
    with app.changing() as state:
        order = _order(state, request.groups[0])
        if not order.is_open:
            raise unprocessable(f'order is already in "{order.status}" state')
        engine.cancel(state, order)
        return Response(status=204)


def cancel_all_orders(app: SimApp, request: Request) -> Response:
    with app.changing() as state:
        results = []
        for order in state.open_orders():
            canceled = engine.cancel(state, order)
            results.append({"id": order.id, "status": 200, "body": serialize.order(canceled)})
        return Response(status=207, body=results)


def register(router: Router) -> None:
    uuid = r"([0-9a-fA-F-]{36})"
    router.add("GET", "/v2/account", get_account)
    router.add("GET", "/v2/positions", list_positions)
    router.add("DELETE", "/v2/positions", close_all_positions)
    router.add("GET", "/v2/positions/([^/]+)", get_position)
    router.add("DELETE", "/v2/positions/([^/]+)", close_position)
    router.add("GET", "/v2/orders", list_orders)
    router.add("POST", "/v2/orders", submit_order)
    router.add("DELETE", "/v2/orders", cancel_all_orders)
    router.add("GET", "/v2/orders:by_client_order_id", get_order_by_client_id)
    router.add("GET", f"/v2/orders/{uuid}", get_order)
    router.add("DELETE", f"/v2/orders/{uuid}", cancel_order)
    router.add("GET", "/v2/orders/([^/]+)", get_order)
    router.add("DELETE", "/v2/orders/([^/]+)", cancel_order)
