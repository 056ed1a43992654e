"""The market-data API's corporate actions (``GET /v1/corporate-actions``) for the sim's
splits and dividends, in the shapes of Alpaca's ``forward_split``, ``reverse_split`` and
``cash_dividend``.

Filters: ``symbols``, ``types`` (comma-separated, e.g. ``forward_split,reverse_split``),
``start`` and ``end`` (inclusive, on the process date; both default to today), ``limit``.
The sim's actions are processed on their ex-date. Everything fits one page.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from trader.core.money import plain
from trader.sim import trading_calendar as cal
from trader.sim.app import SimApp
from trader.sim.assets import SIM_NAMESPACE
from trader.sim.errors import ApiError
from trader.sim.routing import Request, Response, Router

TYPES = (
    "reverse_split",
    "forward_split",
    "unit_split",
    "cash_dividend",
    "stock_dividend",
    "spin_off",
    "cash_merger",
    "stock_merger",
    "stock_and_cash_merger",
    "redemption",
    "name_change",
    "worthless_removal",
    "rights_distribution",
    "partial_call",
    "reorganization",
)
CUSIP = "000000000"  # the sim's assets have no CUSIP; the documents require one


def _refuse(message: str) -> ApiError:
    return ApiError(400, message)


def _day(request: Request, name: str, default: date) -> date:
    text = request.text(name)
    if text is None:
        return default
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _refuse(f"invalid {name}: {text}") from None


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def corporate_actions(app: SimApp, request: Request) -> Response:
    symbols = set(request.symbols())
    types = {t.strip() for t in (request.text("types") or ",".join(TYPES)).split(",") if t.strip()}
    unknown = types - set(TYPES)
    if unknown:
        raise _refuse(f"invalid types: {','.join(sorted(unknown))}")
    limit = request.integer("limit", 100, 1, 1000)
    found: dict[str, list[dict[str, Any]]] = {}
    with app.reading() as state:
        today = cal.local(state.now).date()
        start, end = _day(request, "start", today), _day(request, "end", today)
        for split in state.splits:
            if (symbols and split.symbol not in symbols) or not start <= split.day <= end:
                continue
            kind = "forward_split" if split.new > split.old else "reverse_split"
            if kind not in types:
                continue
            ident = uuid.uuid5(SIM_NAMESPACE, f"ca:{split.symbol}:{split.day}:{split.new}")
            item: dict[str, Any] = {
                "id": str(ident),
                "symbol": split.symbol,
                "new_rate": _number(split.new),
                "old_rate": _number(split.old),
                "process_date": split.day.isoformat(),
                "ex_date": split.day.isoformat(),
                "record_date": split.day.isoformat(),
                "payable_date": split.day.isoformat(),
            }
            if kind == "forward_split":
                item["cusip"] = CUSIP
            else:
                item["old_cusip"] = item["new_cusip"] = CUSIP
            found.setdefault(f"{kind}s", []).append(item)
        if "cash_dividend" in types:
            for paid in state.non_trade:
                if paid.activity_type != "DIV" or paid.per_share_amount is None:
                    continue
                if (symbols and paid.symbol not in symbols) or not start <= paid.date <= end:
                    continue
                found.setdefault("cash_dividends", []).append(
                    {
                        "id": str(uuid.uuid5(SIM_NAMESPACE, f"ca:{paid.id}")),
                        "symbol": paid.symbol,
                        "cusip": CUSIP,
                        "rate": _number(plain(paid.per_share_amount)),
                        "special": False,
                        "foreign": False,
                        "process_date": paid.date.isoformat(),
                        "ex_date": paid.date.isoformat(),
                        "record_date": paid.date.isoformat(),
                        "payable_date": paid.date.isoformat(),
                    }
                )
    counted = 0
    for kind in list(found):
        found[kind] = found[kind][: max(limit - counted, 0)]
        counted += len(found[kind])
    return Response(body={"corporate_actions": found, "next_page_token": None})


def register(router: Router) -> None:
    router.add("GET", "/v1/corporate-actions", corporate_actions)
