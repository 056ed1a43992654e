"""The sim's price history: the fast walk draws exactly what its plain spec draws."""

from __future__ import annotations

from datetime import date

from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS, add_synthetic_stocks, seed_prices
from trader.sim.history import HISTORY_START, _walk, walk_plainly

ANCHOR = date(2026, 6, 26)


def test_each_walk_is_its_plain_spec_to_the_last_bit():
    """The sim's own ETFs, and three of the 500 synthetic stocks (the same code with other
    seeds: all of them would take seconds)."""
    add_synthetic_stocks()
    symbols = [*sorted(seed_prices()), "W001", "W250", "W500"]
    assert len(symbols) > 30 and set(symbols) <= set(ASSETS)
    for symbol in symbols:
        walk = _walk(symbol, ANCHOR)
        days = len(walk.index)
        assert days > 4000
        cum, gap, wick, volume = walk_plainly(symbol, days)
        assert list(walk.cum) == cum, symbol
        assert list(walk.gap) == gap, symbol
        assert list(walk.wick) == wick, symbol
        assert list(walk.volume) == volume, symbol


def test_trading_days_are_the_sessions_held():
    for start, end in ((HISTORY_START, ANCHOR), (date(2024, 12, 20), date(2025, 1, 10))):
        assert cal.trading_days(start, end) == tuple(
            s.day for s in cal.sessions_between(start, end)
        )
    assert cal.trading_days(ANCHOR, HISTORY_START) == ()
