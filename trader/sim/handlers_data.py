"""Market Data API v2 handlers for stocks: latest trades and quotes, snapshots and bars.

Shapes follow Alpaca (and what alpaca-py parses): prices are JSON numbers, symbols
the data does not know are left out of the answer, ``bars`` is always an object.
Multi-symbol bars come symbol by symbol in alphabetical order, ``limit`` counts
bars across all symbols, and ``next_page_token`` (opaque: the symbol and time of
the next bar) is null on the last page; alpaca-py follows it to the end. A symbol under
``trader sim glitch`` gets wrong figures here (``trader.sim.glitch``), never wrong fills.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from trader.sim import history, margin
from trader.sim import trading_calendar as cal
from trader.sim.app import SimApp
from trader.sim.assets import ASSETS
from trader.sim.corporate import split_factor
from trader.sim.errors import CODE_BAD_REQUEST, ApiError
from trader.sim.glitch import priced, spiked_bar
from trader.sim.history import BarData, MarketView, float_cents
from trader.sim.routing import Request, Response, Router
from trader.sim.state import SimSplit, SimState

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 1_000
FEEDS = ("iex", "sip", "delayed_sip", "otc", "boats", "overnight")
# A free ("basic") data plan reads SIP only 15 minutes late; Alpaca's answer otherwise.
PAID_PLAN = "unlimited"
SIP_DELAY = timedelta(minutes=15)
RECENT_SIP_REFUSED = "subscription does not permit querying recent SIP data"
_TIMEFRAME = re.compile(r"^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$")
_UNITS = {"T": "Min", "H": "Hour", "D": "Day", "W": "Week", "M": "Month"}
_TAPES = {"NYSE": "A", "NASDAQ": "C"}


def _refuse(message: str, status: int = 400) -> ApiError:
    return ApiError(status, message)  # market-data errors carry a message and no code


@lru_cache(maxsize=65536)
def _stamp(instant: datetime) -> str:
    text = instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


def _symbols(request: Request) -> list[str]:
    symbols = request.symbols()
    if not symbols:
        raise _refuse("missing symbols")
    if request.text("feed") is not None and request.text("feed", "").lower() not in FEEDS:
        raise _refuse(f"invalid feed: {request.text('feed')}")
    return [s for s in symbols if s in ASSETS]


def _feed(request: Request, state: SimState) -> str:
    """The feed asked for, or the plan's default: ``sip`` with a paid plan, else ``iex``."""
    asked = (request.text("feed") or "").lower()
    return asked or ("sip" if state.data_plan == PAID_PLAN else "iex")


def _latest_feed(request: Request, state: SimState) -> str:
    feed = _feed(request, state)
    if feed == "sip" and state.data_plan != PAID_PLAN:
        raise _refuse(RECENT_SIP_REFUSED, 403)
    return feed


def _last_trade_time(state: SimState) -> datetime:
    return min(state.now, cal.latest_started_session(state.now).close)


def _trade(state: SimState, symbol: str) -> dict[str, Any]:
    when = _last_trade_time(state)
    return {
        "t": _stamp(when),
        "x": "V",
        "p": float(_latest_price(state, symbol)),
        "s": 100,
        "c": ["@"],
        "i": int(when.timestamp()) % 10_000_000,
        "z": _TAPES.get(ASSETS[symbol].exchange, "B"),
    }


def _latest_price(state: SimState, symbol: str) -> Decimal:
    glitch = state.glitches.get(symbol)
    return priced(state.prices[symbol], glitch.latest) if glitch else state.prices[symbol]


def _quote(state: SimState, symbol: str) -> dict[str, Any]:
    bid, ask = margin.quote(state, symbol)
    glitch = state.glitches.get(symbol)
    if glitch is not None:
        bid, ask = priced(bid, glitch.quote), priced(ask, glitch.quote)
    return {
        "t": _stamp(_last_trade_time(state)),
        "ax": "V",
        "ap": float(ask),
        "as": 3,
        "bx": "V",
        "bp": float(bid),
        "bs": 2,
        "c": ["R"],
        "z": _TAPES.get(ASSETS[symbol].exchange, "B"),
    }


def _bar(bar: BarData) -> dict[str, Any]:
    return {
        "t": _stamp(bar.t),
        "o": bar.o,
        "h": bar.h,
        "l": bar.low,
        "c": bar.c,
        "v": bar.v,
        "n": bar.n,
        "vw": bar.vw,
    }


def latest_trades(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        _latest_feed(request, state)
        return Response(body={"trades": {s: _trade(state, s) for s in _symbols(request)}})


def latest_quotes(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        _latest_feed(request, state)
        return Response(body={"quotes": {s: _quote(state, s) for s in _symbols(request)}})


def _latest_minute(symbol: str, view: MarketView) -> BarData | None:
    bars = history.minute_bars(symbol, cal.latest_started_session(view.now).day, view)
    return bars[-1] if bars else None


def latest_bars(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        _latest_feed(request, state)
        view = state.market_view()
        found = {s: _latest_minute(s, view) for s in _symbols(request)}
        return Response(body={"bars": {s: _bar(b) for s, b in found.items() if b is not None}})


def _snapshot(state: SimState, symbol: str) -> dict[str, Any]:
    view = state.market_view()
    latest = cal.latest_started_session(state.now).day
    minute = _latest_minute(symbol, view)
    glitch = state.glitches.get(symbol)
    return {
        "latestTrade": _trade(state, symbol),
        "latestQuote": _quote(state, symbol),
        "minuteBar": _bar(minute) if minute is not None else None,
        "dailyBar": _bar(spiked_bar(history.daily_bar(symbol, latest, view), glitch)),
        "prevDailyBar": _bar(
            spiked_bar(history.daily_bar(symbol, cal.previous_session(latest).day, view), glitch)
        ),
    }


def snapshots(app: SimApp, request: Request) -> Response:
    with app.reading() as state:
        _latest_feed(request, state)
        return Response(body={s: _snapshot(state, s) for s in _symbols(request)})


def _timeframe(request: Request) -> tuple[int, str]:
    text = request.text("timeframe")
    match = _TIMEFRAME.match(text or "")
    if match is None:
        raise _refuse(f"invalid timeframe: {text}")
    amount, unit = int(match.group(1)), _UNITS.get(match.group(2), match.group(2))
    limits = {"Min": 59, "Hour": 23, "Day": 1, "Week": 1, "Month": 1}
    if not 1 <= amount <= limits[unit]:
        raise _refuse(f"unsupported timeframe: {text}")
    return amount, unit


def _days(first: date, last: date, descending: bool) -> Iterator[date]:
    step = timedelta(days=-1 if descending else 1)
    day = last if descending else first
    while first <= day <= last:
        if cal.session(day) is not None:
            yield day
        day += step


def _series(
    symbol: str,
    amount: int,
    unit: str,
    start: datetime,
    end: datetime,
    descending: bool,
    view: MarketView,
) -> Iterator[BarData]:
    first, last = cal.local(start).date(), cal.local(end).date()
    if unit in ("Day", "Week", "Month"):
        lead = timedelta(days=0 if unit == "Day" else 31)
        days = history.daily_sessions(first - lead, last, view)
        if unit == "Day":
            bars = history.daily_bars(symbol, days, view)
        else:
            bars = list(history.calendar_bars(symbol, days, unit, view))
        chosen = [b for b in bars if start <= b.t <= end]
        yield from reversed(chosen) if descending else chosen
        return
    minutes = amount * (60 if unit == "Hour" else 1)
    latest = cal.latest_started_session(view.now).day
    for day in _days(max(first, history.HISTORY_START), min(last, latest), descending):
        bars = [b for b in history.intraday_bars(symbol, day, minutes, view) if start <= b.t <= end]
        yield from reversed(bars) if descending else bars


def _token(symbol: str, instant: datetime) -> str:
    return base64.urlsafe_b64encode(f"{symbol}|{_stamp(instant)}".encode()).decode()


def _read_token(text: str) -> tuple[str, datetime]:
    try:
        symbol, stamp = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return symbol, datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, UnicodeDecodeError):
        raise _refuse("invalid page_token") from None


def _before(bar: BarData, resume_at: datetime, descending: bool) -> bool:
    """Whether the bar came before the page being resumed (already sent)."""
    return bar.t > resume_at if descending else bar.t < resume_at


ADJUSTMENTS = ("raw", "split", "dividend", "spin-off", "all")


def _adjusts_splits(request: Request) -> bool:
    """``adjustment``: one of raw, split, dividend, spin-off, all, or several joined by
    commas; whether bars are divided by the splits since. (The sim pays no dividends
    that bars would be adjusted for, and has no spin-offs.)"""
    text = (request.text("adjustment") or "raw").lower()
    chosen = [part.strip() for part in text.split(",")]
    for part in chosen:
        if part not in ADJUSTMENTS:
            raise ApiError(422, f"invalid adjustment: {text}", CODE_BAD_REQUEST)
    return "split" in chosen or "all" in chosen


def _split_adjusted(bar: BarData, symbol: str, splits: list[SimSplit]) -> BarData:
    factor = float(split_factor(splits, symbol, cal.local(bar.t).date()))
    if factor == 1.0:
        return bar
    return BarData(
        bar.t,
        float_cents(bar.o / factor),
        float_cents(bar.h / factor),
        float_cents(bar.low / factor),
        float_cents(bar.c / factor),
        round(bar.v * factor),
        bar.n,
        float_cents(bar.vw / factor),
    )


def _collect(
    app: SimApp, request: Request, symbols: list[str]
) -> tuple[dict[str, list], str | None]:
    amount, unit = _timeframe(request)
    try:
        limit = request.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        descending = request.choice("sort", "asc", ("asc", "desc")) == "desc"
        adjust_splits = _adjusts_splits(request)
        start_at, asked_end = request.instant("start"), request.instant("end")
    except ApiError as refusal:  # the data API answers a bad parameter with 400
        raise _refuse(refusal.message) from None
    resume = _read_token(request.text("page_token")) if request.text("page_token") else None
    with app.reading() as state:
        view = state.market_view()
        today = datetime.combine(cal.local(state.now).date(), datetime.min.time(), cal.NEW_YORK)
        start = start_at or today
        if _feed(request, state) == "sip" and state.data_plan != PAID_PLAN:
            latest_allowed = state.now - SIP_DELAY
            # No end, or one past the sim's clock (which may lag the caller's): the
            # plan's default, a quarter of an hour ago. Within that quarter hour: refused.
            if asked_end is None or asked_end >= state.now:
                asked_end = latest_allowed
            elif asked_end > latest_allowed:
                raise _refuse(RECENT_SIP_REFUSED, 403)
        end = min(asked_end or state.now, state.now)
        bars: dict[str, list[dict[str, Any]]] = {}
        count = 0
        for symbol in sorted(set(symbols)):
            if resume is not None and symbol < resume[0]:
                continue
            for bar in _series(symbol, amount, unit, start, end, descending, view):
                if (
                    resume is not None
                    and symbol == resume[0]
                    and _before(bar, resume[1], descending)
                ):
                    continue
                if count == limit:
                    return bars, _token(symbol, bar.t)
                if adjust_splits:
                    bar = _split_adjusted(bar, symbol, state.splits)
                if unit == "Day":
                    bar = spiked_bar(bar, state.glitches.get(symbol))
                bars.setdefault(symbol, []).append(_bar(bar))
                count += 1
        return bars, None


def stock_bars(app: SimApp, request: Request) -> Response:
    symbols = _symbols(request)
    bars, token = _collect(app, request, symbols)
    return Response(body={"bars": bars, "next_page_token": token})


def symbol_bars(app: SimApp, request: Request) -> Response:
    symbol = request.groups[0].upper()
    params = {**request.params, "symbols": symbol}
    inner = Request(request.method, request.path, params, request.body, request.groups)
    bars, token = _collect(app, inner, [symbol] if symbol in ASSETS else [])
    return Response(body={"bars": bars.get(symbol, []), "symbol": symbol, "next_page_token": token})


def register(router: Router) -> None:
    router.add("GET", "/v2/stocks/trades/latest", latest_trades)
    router.add("GET", "/v2/stocks/quotes/latest", latest_quotes)
    router.add("GET", "/v2/stocks/bars/latest", latest_bars)
    router.add("GET", "/v2/stocks/snapshots", snapshots)
    router.add("GET", "/v2/stocks/bars", stock_bars)
    router.add("GET", "/v2/stocks/([A-Za-z.]+)/bars", symbol_bars)
