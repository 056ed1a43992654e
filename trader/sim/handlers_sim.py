"""The sim's own control endpoints (``/sim/...``): the HTTP face of ``Controls``.

They exist only on the sim, need the same keys as the Alpaca paths, and are never
subject to injected faults. Bodies are JSON objects; a bad value is a 422 naming it.

    POST   /sim/reset           {"scenario": "default"}
    POST   /sim/prices          {"XLK": "190.00", ...}
    POST   /sim/account         {"trading_blocked": true}
    POST   /sim/deposit         {"amount": "5000.00"}
    POST   /sim/margin          {"multiplier": 4, "spread_pct": "0.5"} (multiplier 1: a cash account)
    POST   /sim/withdraw        {"amount": "5000.00"}  (a CSW transfer out)
    GET    /sim/clock
    POST   /sim/clock/open | /sim/clock/close
    POST   /sim/clock/advance   {"minutes": 30, "days": 1}
    POST   /sim/split           {"symbol": "XLK", "new": "2", "old": "1", "date": "2026-12-03"}
    POST   /sim/dividend        {"symbol": "XLK", "per_share": "0.52"}
    POST   /sim/glitch          {"symbol": "QQQ", "latest": "0.1", "quote": "1",
                                 "bars_spike": "100", "every": 7} | {"off": true[, "symbol": "QQQ"]}
    POST   /sim/faults          {"fail_next": 2, "status": 500} | {"rate_limit": 3}
                                | {"latency_seconds": 1.5, "count": 1} | {"drop_after_accept": 1}
                                | {"fill_ratio": {"XLK": "0.5"}} | {"corrupt_next": "/v2/positions"}
    DELETE /sim/faults
    GET    /sim/requests | DELETE /sim/requests
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from trader.sim.app import SimApp
from trader.sim.controls import Controls
from trader.sim.errors import CODE_BAD_REQUEST, ApiError
from trader.sim.routing import Request, Response, Router


def _body(request: Request) -> dict[str, Any]:
    if request.body is None:
        return {}
    if not isinstance(request.body, dict):
        raise ApiError(400, "request body must be a JSON object", CODE_BAD_REQUEST)
    return request.body


def _clock(controls: Controls) -> Response:
    return Response(body={"now": controls.now().isoformat()})


def _checked(action: Any) -> None:
    try:
        action()
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise ApiError(422, str(exc) or "invalid value", CODE_BAD_REQUEST) from None


def reset(app: SimApp, request: Request) -> Response:
    scenario = _body(request).get("scenario", "default")
    _checked(lambda: Controls(app).reset(str(scenario)))
    return Response(body={"scenario": scenario})


def prices(app: SimApp, request: Request) -> Response:
    body = _body(request)
    _checked(lambda: Controls(app).set_prices({k: str(v) for k, v in body.items()}))
    return Response(body={k.upper(): str(v) for k, v in body.items()})


def account(app: SimApp, request: Request) -> Response:
    blocked = _body(request).get("trading_blocked")
    if not isinstance(blocked, bool):
        raise ApiError(422, "trading_blocked must be true or false", CODE_BAD_REQUEST)
    Controls(app).block_trading(blocked)
    return Response(body={"trading_blocked": blocked})


def deposit(app: SimApp, request: Request) -> Response:
    amount = _body(request).get("amount")
    found: dict[str, Any] = {}
    _checked(lambda: found.update(cash=Controls(app).deposit(str(amount))))
    return Response(body={"cash": str(found["cash"])})


def margin(app: SimApp, request: Request) -> Response:
    body = _body(request)
    multiplier, spread = body.get("multiplier"), body.get("spread_pct", "0")
    _checked(lambda: Controls(app).set_margin(Decimal(str(multiplier)), Decimal(str(spread))))
    return Response(body={"multiplier": str(multiplier), "spread_pct": str(spread)})


def withdraw(app: SimApp, request: Request) -> Response:
    amount = _body(request).get("amount")
    found: dict[str, Any] = {}
    _checked(lambda: found.update(cash=Controls(app).withdraw(str(amount))))
    return Response(body={"cash": str(found["cash"])})


def clock(app: SimApp, request: Request) -> Response:
    return _clock(Controls(app))


def clock_open(app: SimApp, request: Request) -> Response:
    Controls(app).open_market()
    return _clock(Controls(app))


def clock_close(app: SimApp, request: Request) -> Response:
    Controls(app).close_market()
    return _clock(Controls(app))


def clock_advance(app: SimApp, request: Request) -> Response:
    body = _body(request)
    _checked(
        lambda: Controls(app).advance(
            minutes=int(body.get("minutes", 0)), days=int(body.get("days", 0))
        )
    )
    return _clock(Controls(app))


def _date(body: dict[str, Any]) -> date | None:
    text = body.get("date")
    return None if text in (None, "") else date.fromisoformat(str(text))


def split(app: SimApp, request: Request) -> Response:
    body = _body(request)
    done: list[Any] = []
    _checked(
        lambda: done.append(
            Controls(app).split(
                str(body.get("symbol", "")),
                str(body.get("new", "")),
                str(body.get("old", "1")),
                _date(body),
            )
        )
    )
    record = done[0]
    return Response(
        body={
            "symbol": record.symbol,
            "date": record.day.isoformat(),
            "new": str(record.new),
            "old": str(record.old),
        }
    )


def dividend(app: SimApp, request: Request) -> Response:
    body = _body(request)
    paid: list[Any] = []
    _checked(
        lambda: paid.append(
            Controls(app).dividend(
                str(body.get("symbol", "")), str(body.get("per_share", "")), _date(body)
            )
        )
    )
    return Response(body={"symbol": str(body.get("symbol", "")).upper(), "paid": str(paid[0])})


def glitch(app: SimApp, request: Request) -> Response:
    body = _body(request)
    controls = Controls(app)
    symbol = body.get("symbol")
    if body.get("off"):
        controls.glitch_off(None if symbol in (None, "") else str(symbol))
        return Response(body={"off": True, "symbol": symbol})
    _checked(
        lambda: controls.glitch(
            str(symbol or ""),
            str(body.get("latest", "1")),
            str(body.get("quote", "1")),
            str(body.get("bars_spike", "1")),
            int(body.get("every", 7)),
        )
    )
    return Response(body={**body, "symbol": str(symbol).upper()})


def set_faults(app: SimApp, request: Request) -> Response:
    body = _body(request)
    controls = Controls(app)

    def apply() -> None:
        if "fail_next" in body:
            controls.fail_next(int(body["fail_next"]), int(body.get("status", 500)))
        if "rate_limit" in body:
            controls.rate_limit(int(body["rate_limit"]))
        if "latency_seconds" in body:
            controls.latency(float(body["latency_seconds"]), int(body.get("count", 1)))
        if "drop_after_accept" in body:
            controls.drop_after_accept(int(body["drop_after_accept"]))
        if "corrupt_next" in body:
            controls.corrupt_next(str(body["corrupt_next"]))
        for symbol, ratio in dict(body.get("fill_ratio") or {}).items():
            controls.set_fill_ratio(symbol, str(ratio))

    _checked(apply)
    return Response(body={"ok": True})


def clear_faults(app: SimApp, request: Request) -> Response:
    Controls(app).clear_faults()
    return Response(status=204)


def get_requests(app: SimApp, request: Request) -> Response:
    return Response(body=Controls(app).requests())


def clear_requests(app: SimApp, request: Request) -> Response:
    Controls(app).clear_requests()
    return Response(status=204)


def register(router: Router) -> None:
    router.add("POST", "/sim/reset", reset)
    router.add("POST", "/sim/prices", prices)
    router.add("POST", "/sim/account", account)
    router.add("POST", "/sim/deposit", deposit)
    router.add("POST", "/sim/margin", margin)
    router.add("POST", "/sim/withdraw", withdraw)
    router.add("GET", "/sim/clock", clock)
    router.add("POST", "/sim/clock/open", clock_open)
    router.add("POST", "/sim/clock/close", clock_close)
    router.add("POST", "/sim/clock/advance", clock_advance)
    router.add("POST", "/sim/split", split)
    router.add("POST", "/sim/dividend", dividend)
    router.add("POST", "/sim/glitch", glitch)
    router.add("POST", "/sim/faults", set_faults)
    router.add("DELETE", "/sim/faults", clear_faults)
    router.add("GET", "/sim/requests", get_requests)
    router.add("DELETE", "/sim/requests", clear_requests)
