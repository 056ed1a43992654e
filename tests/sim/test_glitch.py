"""``trader sim glitch``: the sim's market data lies for one symbol, fills stay true.

Read over real HTTP with alpaca-py's data client, as the broker adapter reads them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from alpaca.data.enums import DataFeed
from alpaca.data.requests import (
    StockBarsRequest,
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
)
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from trader.sim import SimServer
from trader.sim.glitch import weekday_number
from trader.sim.persistence import load


def _latest(sim, symbol: str) -> float:
    trades = sim.data.get_stock_latest_trade(
        StockLatestTradeRequest(symbol_or_symbols=symbol, feed=DataFeed.IEX)
    )
    return trades[symbol].price


def test_a_latest_glitch_lies_about_the_trade_and_fills_stay_true(sim):
    sim.controls.open_market()
    true = sim.server.controls._app.state.prices["QQQ"]
    sim.controls.glitch("QQQ", latest="0.1")
    # The true price over ten, in whole cents.
    assert Decimal(str(_latest(sim, "QQQ"))) == (true / 10).quantize(Decimal("0.01"))
    assert Decimal(str(_latest(sim, "SPY"))) == sim.server.controls._app.state.prices["SPY"]
    order = sim.trading.submit_order(
        MarketOrderRequest(symbol="QQQ", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    filled = sim.trading.get_order_by_id(order.id)
    assert Decimal(filled.filled_avg_price) == true  # the true price, not the glitched one

    sim.controls.glitch_off()
    assert Decimal(str(_latest(sim, "QQQ"))) == true


def test_a_quote_glitch_moves_bid_and_ask_only(sim):
    state = sim.server.controls._app.state
    true = state.prices["XLK"]
    sim.controls.glitch("XLK", quote="10")
    quote = sim.data.get_stock_latest_quote(
        StockLatestQuoteRequest(symbol_or_symbols="XLK", feed=DataFeed.IEX)
    )["XLK"]
    # A cash account's quote is a cent each side of the trade: (true ± 0.01) × 10.
    assert Decimal(str(quote.bid_price)) == (true - Decimal("0.01")) * 10
    assert Decimal(str(quote.ask_price)) == (true + Decimal("0.01")) * 10
    assert Decimal(str(_latest(sim, "XLK"))) == true


def test_a_bars_spike_multiplies_every_nth_close_only(sim):
    now = sim.controls.now()
    request = StockBarsRequest(
        symbol_or_symbols="SPY",
        timeframe=TimeFrame.Day,
        start=now - timedelta(days=60),
        feed=DataFeed.IEX,
    )
    clean = sim.data.get_stock_bars(request).data["SPY"]
    sim.controls.glitch("SPY", bars_spike="100", every=7)
    spiked = sim.data.get_stock_bars(request).data["SPY"]
    assert len(clean) == len(spiked) > 14
    changed = [(a, b) for a, b in zip(clean, spiked, strict=True) if a.close != b.close]
    # One session in seven (by the day's ordinal): about 40 sessions, 5 or 6 spiked.
    assert 4 <= len(changed) <= 7
    for before, after in changed:
        assert after.close == pytest.approx(before.close * 100, rel=1e-6)
        assert (after.high, after.low, after.open) == (before.high, before.low, before.open)
        assert after.close > after.high  # outside its own bar: an outlier by the rule
        assert weekday_number(after.timestamp.toordinal()) % 7 == 0


def test_a_bad_factor_is_refused_and_the_glitch_persists(tmp_path):
    path = tmp_path / "state.json"
    with SimServer(state_path=path) as server:
        with pytest.raises(ValueError, match="latest factor"):
            server.controls.glitch("QQQ", latest="0")
        with pytest.raises(ValueError, match="unknown symbol"):
            server.controls.glitch("NOPE", latest="2")
        server.controls.glitch("QQQ", latest="0.1", every=3)
    saved = load(path)
    assert saved.glitches["QQQ"].latest == Decimal("0.1")
    assert saved.glitches["QQQ"].every == 3
