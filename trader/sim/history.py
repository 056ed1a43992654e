"""Deterministic price history: daily bars from a seeded random walk, intraday bars derived from them.

Every symbol's walk is ``random.Random(symbol)`` drawing daily log returns with the
asset's drift and volatility, from ``HISTORY_START`` to the scenario's first day
(the *anchor*). The walk is scaled so the anchor day closes at the seed price, so
history always joins the present without a jump. After the anchor the sim records
each session's closing prices as its clock passes them, and the session in
progress (or the last one, when the market is shut) closes at the current price:
a chart drawn from the bars ends exactly where the account is valued. A new account
also records its holdings' closes of the session before the first day, its yesterday
until the clock moves, which every process serving it would otherwise walk again.

Intraday bars are a Brownian bridge from the day's open to its close, seeded by
symbol and date, so the same request always gets the same bars. Market data goes
over the wire as JSON numbers, so bars are computed in float and rounded to cents.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS

HISTORY_START = date(2010, 1, 4)
TWO_PI = 2.0 * math.pi  # as random.gauss has it
TRADING_DAYS_PER_YEAR = 252
# Walks kept: more than the largest scenario's symbols (stocks-500), or one request over
# all of them would empty the cache for the next.
WALKS_CACHED = 1024


@dataclass(frozen=True, slots=True)
class BarData:
    """One bar as the data API reports it; ``t`` is the bar's opening instant (UTC)."""

    t: datetime
    o: float
    h: float
    low: float
    c: float
    v: int
    n: int
    vw: float


@dataclass(frozen=True, slots=True)
class MarketView:
    """What the history needs to know about the sim's present."""

    anchor: date
    anchor_prices: Mapping[str, Decimal]
    recorded_closes: Mapping[str, Mapping[str, Decimal]]  # ISO date -> symbol -> close
    prices: Mapping[str, Decimal]
    now: datetime


@dataclass(frozen=True, slots=True)
class _Walk:
    # Arrays, not tuples of floats: a walk is ten thousand numbers, and a thousand are kept.
    index: dict[date, int]  # shared by every walk to the same anchor
    cum: array[float]  # cumulative log return up to and including each day
    gap: array[float]  # open relative to the previous close, as a log return
    wick: array[float]  # how far high and low reach past the body
    volume: array[int]


@lru_cache(maxsize=8)
def _day_index(anchor: date) -> dict[date, int]:
    return {day: i for i, day in enumerate(cal.trading_days(HISTORY_START, anchor))}


def walk_plainly(symbol: str, days: int) -> tuple[list[float], ...]:
    """The spec of a walk's draws, written plainly: per day a daily log return, the open's
    gap, the wick and the volume, each a ``gauss`` of the symbol's own generator."""
    asset = ASSETS[symbol]
    rng = random.Random(symbol)
    daily_vol = asset.volatility / math.sqrt(TRADING_DAYS_PER_YEAR)
    drift = asset.drift / TRADING_DAYS_PER_YEAR
    base_volume = 2_000_000 + rng.randrange(40_000_000)
    cum: list[float] = []
    gap: list[float] = []
    wick: list[float] = []
    volume: list[float] = []
    total = 0.0
    for _ in range(days):
        total += rng.gauss(drift, daily_vol)
        cum.append(total)
        gap.append(rng.gauss(0.0, daily_vol * 0.25))
        wick.append(abs(rng.gauss(0.0, daily_vol * 0.4)))
        volume.append(int(base_volume * math.exp(rng.gauss(0.0, 0.3))))
    return cum, gap, wick, volume


@lru_cache(maxsize=WALKS_CACHED)
def _walk(symbol: str, anchor: date) -> _Walk:
    """The same draws as :func:`walk_plainly` (a test holds them equal), twice as fast:
    ``random.gauss`` written out. It draws its normals in pairs (Box-Muller: the cosine
    now, the sine kept for the next call), so a day's four draws are two pairs. A walk
    is 4,000 days, drawn when a bar of the first day or before it is asked for."""
    asset = ASSETS[symbol]
    index = _day_index(anchor)
    rng = random.Random(symbol)
    daily_vol = asset.volatility / math.sqrt(TRADING_DAYS_PER_YEAR)
    drift = asset.drift / TRADING_DAYS_PER_YEAR
    gap_sigma, wick_sigma, volume_sigma = daily_vol * 0.25, daily_vol * 0.4, 0.3
    base_volume = 2_000_000 + rng.randrange(40_000_000)
    uniform, log, sqrt, cos, sin, exp = (
        rng.random,
        math.log,
        math.sqrt,
        math.cos,
        math.sin,
        math.exp,
    )
    cum, gap, wick, volume = array("d"), array("d"), array("d"), array("q")
    total = 0.0
    for _ in index:
        # gauss(mu, sigma) is mu + z * sigma, z = cos(angle) * radius, then sin(angle) * radius.
        angle, radius = uniform() * TWO_PI, sqrt(-2.0 * log(1.0 - uniform()))
        total += drift + (cos(angle) * radius) * daily_vol
        cum.append(total)
        gap.append(0.0 + (sin(angle) * radius) * gap_sigma)
        angle, radius = uniform() * TWO_PI, sqrt(-2.0 * log(1.0 - uniform()))
        wick.append(abs(0.0 + (cos(angle) * radius) * wick_sigma))
        volume.append(int(base_volume * exp(0.0 + (sin(angle) * radius) * volume_sigma)))
    return _Walk(index, cum, gap, wick, volume)


def float_cents(value: float) -> float:
    return max(round(value, 2), 0.01)


def bar_time(day: date) -> datetime:
    """Daily bars are stamped at midnight New York time, as Alpaca does."""
    return datetime.combine(day, time(0), cal.NEW_YORK).astimezone(UTC)


def close_on(symbol: str, day: date, view: MarketView, latest: date | None = None) -> float:
    """The closing price of ``symbol`` on session ``day`` (the current price for the latest one).

    ``latest`` (the latest session that has opened) may be passed in by callers
    pricing many days, to save looking it up each time.
    """
    if latest is None:
        latest = cal.latest_started_session(view.now).day
    if day >= latest:
        return float(view.prices[symbol])
    recorded = view.recorded_closes.get(day.isoformat())
    if recorded is not None and symbol in recorded:
        return float(recorded[symbol])
    if day > view.anchor:
        return float(view.prices[symbol])
    walk = _walk(symbol, view.anchor)
    index = walk.index.get(day)
    if index is None:
        raise ValueError(f"{day} is not a trading day in the history")
    anchor_price = float(view.anchor_prices[symbol])
    return float_cents(anchor_price * math.exp(walk.cum[index] - walk.cum[-1]))


def _day_noise(symbol: str, day: date, view: MarketView) -> tuple[float, float, int]:
    if day <= view.anchor:
        walk = _walk(symbol, view.anchor)
        index = walk.index.get(day)
        if index is not None:
            return walk.gap[index], walk.wick[index], walk.volume[index]
    rng = random.Random(f"{symbol}:{day.isoformat()}")
    daily_vol = ASSETS[symbol].volatility / math.sqrt(TRADING_DAYS_PER_YEAR)
    return (
        rng.gauss(0.0, daily_vol * 0.25),
        abs(rng.gauss(0.0, daily_vol * 0.4)),
        int(5_000_000 * math.exp(rng.gauss(0.0, 0.3))),
    )


def _make_daily(
    symbol: str, day: date, close: float, previous_close: float, view: MarketView
) -> BarData:
    gap, wick, volume = _day_noise(symbol, day, view)
    open_ = float_cents(previous_close * math.exp(gap))
    high = float_cents(max(open_, close) * (1 + wick))
    low = float_cents(min(open_, close) * (1 - wick))
    trades = max(volume // 120, 1)
    vwap = float_cents((high + low + close) / 3)
    return BarData(bar_time(day), open_, high, low, close, volume, trades, vwap)


def daily_bars(symbol: str, days: list[date], view: MarketView) -> list[BarData]:
    """Daily bars for consecutive trading ``days``, priced in one pass."""
    if not days:
        return []
    latest = cal.latest_started_session(view.now).day
    before = cal.previous_session(days[0]).day
    closes = [
        close_on(symbol, day, view, latest) if day >= HISTORY_START else None
        for day in (before, *days)
    ]
    bars = []
    for i, day in enumerate(days):
        close = closes[i + 1]
        assert close is not None
        previous = closes[i] if closes[i] is not None else close
        bars.append(_make_daily(symbol, day, close, previous, view))
    return bars


def daily_bar(symbol: str, day: date, view: MarketView) -> BarData:
    return daily_bars(symbol, [day], view)[0]


def daily_sessions(start: date, end: date, view: MarketView) -> list[date]:
    """Trading days with a bar between ``start`` and ``end`` (none after the latest session)."""
    latest = cal.latest_started_session(view.now).day
    first = max(start, HISTORY_START)
    last = min(end, latest)
    if first > last:
        return []
    return list(cal.trading_days(first, last))


def minute_bars(symbol: str, day: date, view: MarketView) -> list[BarData]:
    """The session's one-minute bars; for the session in progress, only those already closed."""
    session = cal.session(day)
    if session is None:
        return []
    daily = daily_bar(symbol, day, view)
    minutes = int((session.close - session.open).total_seconds() // 60)
    if session.open <= view.now < session.close:
        minutes = int((view.now - session.open).total_seconds() // 60)
    elif view.now < session.open:
        return []
    if minutes <= 0:
        return []
    rng = random.Random(f"{symbol}:{day.isoformat()}:minutes")
    step = ASSETS[symbol].volatility / math.sqrt(TRADING_DAYS_PER_YEAR * 390)
    walk = [0.0]
    for _ in range(minutes):
        walk.append(walk[-1] + rng.gauss(0.0, step))
    drift = math.log(daily.c / daily.o)
    path = [
        daily.o * math.exp(drift * k / minutes + walk[k] - walk[-1] * k / minutes)
        for k in range(minutes + 1)
    ]
    per_minute = max(daily.v // minutes, 1)
    bars = []
    start = session.open.astimezone(UTC)
    for k in range(minutes):
        o, c = float_cents(path[k]), float_cents(path[k + 1])
        wiggle = abs(rng.gauss(0.0, step / 2))
        h, low = float_cents(max(o, c) * (1 + wiggle)), float_cents(min(o, c) * (1 - wiggle))
        v = int(per_minute * math.exp(rng.gauss(0.0, 0.4)))
        bars.append(
            BarData(
                start + timedelta(minutes=k),
                o,
                h,
                low,
                c,
                v,
                max(v // 100, 1),
                float_cents((o + c) / 2),
            )
        )
    return bars


def aggregate(bars: list[BarData], stamp: datetime) -> BarData:
    volume = sum(b.v for b in bars)
    weighted = sum(b.vw * b.v for b in bars)
    return BarData(
        stamp,
        bars[0].o,
        max(b.h for b in bars),
        min(b.low for b in bars),
        bars[-1].c,
        volume,
        sum(b.n for b in bars),
        float_cents(weighted / volume) if volume else bars[-1].c,
    )


def intraday_bars(symbol: str, day: date, minutes: int, view: MarketView) -> list[BarData]:
    """Bars of ``minutes`` each, aligned on the New York clock (an hour bar at 09:00 covers 09:30-10:00)."""
    ones = minute_bars(symbol, day, view)
    if minutes == 1:
        return ones
    groups: dict[datetime, list[BarData]] = {}
    for bar in ones:
        local = bar.t.astimezone(cal.NEW_YORK)
        offset = (local.hour * 60 + local.minute) % minutes
        groups.setdefault(bar.t - timedelta(minutes=offset), []).append(bar)
    return [aggregate(group, stamp) for stamp, group in groups.items()]


def calendar_bars(symbol: str, days: list[date], unit: str, view: MarketView) -> Iterator[BarData]:
    """Weekly or monthly bars, each stamped at its first trading day."""
    group: list[BarData] = []
    key = None
    for day, bar in zip(days, daily_bars(symbol, days, view), strict=True):
        bucket = day.isocalendar()[:2] if unit == "Week" else (day.year, day.month)
        if bucket != key and group:
            yield aggregate(group, group[0].t)
            group = []
        key = bucket
        group.append(bar)
    if group:
        yield aggregate(group, group[0].t)
