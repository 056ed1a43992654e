"""Daily bars with their bad prints dropped (the rule: ``trader.core.bad_prints``).

Every reader of daily bars (the trailing stops' peaks, the built-in scores, the sync's
check) goes through ``clean_bars``, and says what it dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from trader.core.bad_prints import BadPrint, DailyClose, clean_closes
from trader.core.domain import Bar
from trader.core.schedule import market_date


def clean_bars(
    bars: Mapping[str, list[Bar]], latest: Mapping[str, Decimal] | None = None
) -> tuple[dict[str, list[Bar]], list[BadPrint]]:
    """Each symbol's bars (oldest first) without the bad prints, and the bad prints.

    ``latest`` holds the latest trade of some symbols: their last bar is judged against it."""
    cleaned: dict[str, list[Bar]] = {}
    dropped: list[BadPrint] = []
    for symbol, found in bars.items():
        ordered = sorted(found, key=lambda bar: bar.timestamp)
        closes = [DailyClose(market_date(b.timestamp), b.close, b.low, b.high) for b in ordered]
        kept, bad = clean_closes(symbol, closes, (latest or {}).get(symbol))
        days = {close.day for close in kept}
        cleaned[symbol] = [b for b in ordered if market_date(b.timestamp) in days]
        dropped.extend(bad)
    return cleaned, dropped
