"""The sim's price history: the fast walk draws exactly what its plain spec draws."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS, add_synthetic_stocks, seed_prices
from trader.sim.history import HISTORY_START, _walk, close_on, walk_plainly

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


def test_a_new_account_keeps_yesterdays_close_and_serves_it_without_walking(sim):
    state = sim.server.app.state
    previous = cal.previous_session(cal.latest_started_session(state.now).day).day
    recorded = state.recorded_closes[previous.isoformat()]
    assert set(recorded) == set(state.positions) and recorded
    walked = replace(state.market_view(), recorded_closes={})
    for symbol, close in recorded.items():
        assert close == Decimal(str(close_on(symbol, previous, walked))), symbol
    _walk.cache_clear()
    positions = sim.trading.get_all_positions()
    sim.trading.get_account()
    assert _walk.cache_info().misses == 0  # no history walked to answer
    assert {p.symbol: Decimal(p.lastday_price) for p in positions} == recorded
