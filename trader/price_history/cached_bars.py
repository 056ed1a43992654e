"""Daily closes from the broker's data API, read once and then kept in the store.

The store remembers, per symbol, the span of days already asked for (``close_spans``),
bars or not: a fund that starts later has no early bars, and asking again would not
change that. A backtest asks the data API only for the days outside that span, one
request per distinct range (alpaca-py pages through it), so a second run over the same
period downloads nothing. Bars are adjusted for splits and dividends
(``Adjustment.ALL`` in the adapter) and dated by the New York market day.

Adjusted closes are only right as of the day they were read: a split or a dividend
after it rewrites every close before it, and a cached close would show a 2:1 split as
a 50% crash. So each symbol's span remembers the market day it was first read
(``read_on``), and, when a broker is at hand, one request to the market-data corporate
actions asks which cached symbols had a split or a cash dividend since; their cached
closes are dropped and read again. (A split of a held symbol also drops them at the
sync that records it.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from trader.backtest import PriceHistory
from trader.broker.protocol import Broker
from trader.core.schedule import market_date
from trader.store import Store


@dataclass(frozen=True, slots=True)
class BarFetch:
    """How the closes were obtained: requests made, bars downloaded, closes from the cache."""

    requests: int
    downloaded: int
    cached: int


def missing_ranges(
    spans: dict[str, tuple[date, date]], symbols: Sequence[str], start: date, end: date
) -> dict[tuple[date, date], list[str]]:
    """Which days each symbol still needs, grouped by range so symbols share requests."""
    wanted: dict[tuple[date, date], list[str]] = defaultdict(list)
    for symbol in symbols:
        span = spans.get(symbol)
        if span is None or span[0] > end + timedelta(days=1) or span[1] < start - timedelta(days=1):
            # nothing cached, or not adjoining: read the whole period (the span stays whole)
            first = min(start, span[0]) if span else start
            last = max(end, span[1]) if span else end
            wanted[(first, last)].append(symbol)
            continue
        if start < span[0]:
            wanted[(start, span[0] - timedelta(days=1))].append(symbol)
        if end > span[1]:
            wanted[(span[1] + timedelta(days=1), end)].append(symbol)
    return dict(wanted)


def drop_stale(store: Store, broker: Broker, symbols: Sequence[str], today: date) -> list[str]:
    """Drop the cached closes of symbols split or paid a dividend since they were read;
    returns those symbols."""
    read = store.close_read_days(list(symbols))
    if not read or min(read.values()) >= today:
        return []
    since = broker.bar_adjustments(sorted(read), min(read.values()) + timedelta(days=1), today)
    stale = sorted(
        symbol
        for symbol, days in since.items()
        if symbol in read and any(read[symbol] < day <= today for day in days)
    )
    store.drop_daily_closes(stale)
    return stale


def cached_history(
    store: Store,
    broker: Broker | None,
    symbols: Sequence[str],
    start: date,
    end: date,
    today: date | None = None,
) -> tuple[PriceHistory, BarFetch]:
    """The closes of ``symbols`` over ``start..end``, downloading only what the cache lacks.

    ``broker`` may be None when the caller knows the cache covers everything; it is then
    an error (a bug) for anything to be missing. ``today`` is the broker's market date:
    with it, stale closes are dropped first (see ``drop_stale``) and new ones are
    stamped with the day they were read.
    """
    symbols = list(symbols)
    if broker is not None and today is not None:
        drop_stale(store, broker, symbols, today)
    wanted = missing_ranges(store.close_spans(symbols), symbols, start, end)
    requests = downloaded = 0
    for (first, last), names in sorted(wanted.items()):
        if broker is None:
            raise RuntimeError("closes missing from the cache and no broker to read them")
        bars = broker.daily_bars(names, first, last)
        requests += 1
        for symbol in names:
            closes: dict[date, Decimal] = {}
            for bar in bars.get(symbol, []):
                day = market_date(bar.timestamp)
                if first <= day <= last:
                    closes[day] = bar.close
            downloaded += sum(1 for day in closes if start <= day <= end)
            store.save_daily_closes(symbol, first, last, closes, read_on=today)
    series = store.daily_closes(symbols, start, end)
    total = sum(len(closes) for closes in series.values())
    history = PriceHistory.from_series(series)
    return history, BarFetch(requests, downloaded, total - downloaded)
