"""Market data through alpaca-py's StockHistoricalDataClient: latest prices, snapshots and bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.requests import (
    StockBarsRequest,
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
    StockSnapshotRequest,
)
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 11:00 New York


def test_latest_trades_are_the_current_prices(sim):
    trades = sim.data.get_stock_latest_trade(
        StockLatestTradeRequest(symbol_or_symbols=["XLK", "TLT", "NOPE"], feed=DataFeed.IEX)
    )
    assert set(trades) == {"XLK", "TLT"}  # unknown symbols are left out
    assert trades["XLK"].price == 185.0 and trades["TLT"].price == 95.0
    assert trades["XLK"].timestamp == NOW
    sim.controls.set_prices({"XLK": "190.25"})
    again = sim.data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="XLK"))
    assert again["XLK"].price == 190.25


def test_latest_quotes_straddle_the_price(sim):
    quotes = sim.data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols=["SPY"]))
    assert quotes["SPY"].bid_price < 480 < quotes["SPY"].ask_price


def test_snapshots_carry_trade_quote_and_bars(sim):
    snapshots = sim.data.get_stock_snapshot(StockSnapshotRequest(symbol_or_symbols=["XLV", "SPY"]))
    xlv = snapshots["XLV"]
    assert xlv.latest_trade.price == 145.0
    assert xlv.daily_bar.close == 145.0
    assert xlv.daily_bar.timestamp == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert xlv.previous_daily_bar.timestamp == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert xlv.minute_bar.timestamp == datetime(2026, 11, 24, 15, 59, tzinfo=UTC)
    assert xlv.minute_bar.close == 145.0


def test_ten_years_of_daily_bars_end_at_the_current_price(sim):
    start = NOW - timedelta(days=3660)
    bars = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols=["XLK", "SPY"],
            timeframe=TimeFrame.Day,
            start=start,
            adjustment=Adjustment.ALL,
            feed=DataFeed.IEX,
        )
    )
    xlk = bars.data["XLK"]
    assert 2500 < len(xlk) < 2540 and len(bars.data["SPY"]) == len(xlk)
    assert xlk[-1].close == 185.0 and xlk[-1].timestamp == datetime(2026, 11, 24, 5, tzinfo=UTC)
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in xlk)
    assert all(b.trade_count and b.vwap for b in xlk)
    stamps = [b.timestamp for b in xlk]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert datetime(2026, 11, 26, 5, tzinfo=UTC) not in stamps  # no bar on a holiday


def test_bars_are_deterministic_and_history_keeps_the_recorded_closes(sim):
    request = StockBarsRequest(
        symbol_or_symbols="XLE", timeframe=TimeFrame.Day, start=NOW - timedelta(days=30)
    )
    first = sim.data.get_stock_bars(request).data["XLE"]
    assert first == sim.data.get_stock_bars(request).data["XLE"]
    sim.controls.set_prices({"XLE": "63.10"})
    sim.controls.advance(days=1)
    sim.controls.set_prices({"XLE": "64.00"})
    later = sim.data.get_stock_bars(request).data["XLE"]
    assert [b.close for b in later[-2:]] == [63.1, 64.0]
    assert later[:-2] == first[:-1]


def test_multi_symbol_bars_page_until_done_and_limit_counts_across_symbols(sim):
    symbols = ["XLK", "XLV", "XLF", "XLE", "SPY"]
    sim.controls.clear_requests()
    bars = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols=symbols, timeframe=TimeFrame.Day, start=NOW - timedelta(days=3660)
        )
    )
    counts = {s: len(bars.data[s]) for s in symbols}
    assert len(set(counts.values())) == 1 and sum(counts.values()) > 10_000
    pages = [r for r in sim.controls.requests() if r["path"] == "/v2/stocks/bars"]
    assert len(pages) == 2 and "page_token" in pages[1]["query"]
    limited = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols=symbols,
            timeframe=TimeFrame.Day,
            start=NOW - timedelta(days=10),
            limit=9,
        )
    )
    assert sum(len(v) for v in limited.data.values()) == 9


def test_raw_pages_carry_a_token_and_bars_is_always_an_object(sim):
    base = "/stocks/bars"
    params = {"symbols": "XLK,SPY", "timeframe": "1Day", "start": "2026-11-01", "limit": 5}
    first = sim.data.get(base, params)
    assert sum(len(v) for v in first["bars"].values()) == 5 and first["next_page_token"]
    rest = sim.data.get(base, {**params, "limit": 1000, "page_token": first["next_page_token"]})
    assert rest["next_page_token"] is None
    combined = {s: first["bars"].get(s, []) + rest["bars"].get(s, []) for s in ("SPY", "XLK")}
    whole = sim.data.get(base, {**params, "limit": 1000})["bars"]
    assert combined == whole
    assert all({"t", "o", "h", "l", "c", "v", "n", "vw"} <= set(b) for b in whole["XLK"])
    nothing = sim.data.get(base, {"symbols": "XLK", "timeframe": "1Day", "start": "2030-01-01"})
    assert nothing == {"bars": {}, "next_page_token": None}


@pytest.mark.parametrize(
    ("timeframe", "expected", "first_minute"),
    [
        (TimeFrame(1, TimeFrameUnit.Minute), 90, 30),  # 09:30-11:00
        (TimeFrame(5, TimeFrameUnit.Minute), 18, 30),
        (TimeFrame(15, TimeFrameUnit.Minute), 6, 30),
        (TimeFrame.Hour, 2, 0),  # the 09:00 bar (from 09:30) and the 10:00 bar
    ],
)
def test_intraday_bars_of_today_stop_at_the_sim_time(sim, timeframe, expected, first_minute):
    bars = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="SPY", timeframe=timeframe, start=datetime(2026, 11, 24, tzinfo=UTC)
        )
    ).data["SPY"]
    assert len(bars) == expected
    assert bars[0].timestamp == datetime(2026, 11, 24, 14, first_minute, tzinfo=UTC)
    assert bars[-1].close == 480.0
    assert sum(b.volume for b in bars) > 0


def test_weekly_and_monthly_bars_and_descending_order(sim):
    weekly = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="GLD", timeframe=TimeFrame.Week, start=NOW - timedelta(days=70)
        )
    ).data["GLD"]
    assert 9 <= len(weekly) <= 11 and weekly[-1].close == 240.0
    monthly = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="GLD", timeframe=TimeFrame.Month, start=NOW - timedelta(days=365)
        )
    ).data["GLD"]
    assert 11 <= len(monthly) <= 13 and monthly[-1].close == 240.0
    newest_first = sim.data.get(
        "/stocks/bars",
        {"symbols": "GLD", "timeframe": "1Day", "start": "2026-11-01", "sort": "desc"},
    )["bars"]["GLD"]
    assert newest_first[0]["c"] == 240.0
    assert [b["t"] for b in newest_first] == sorted((b["t"] for b in newest_first), reverse=True)


def test_single_symbol_bars_endpoint(sim):
    answer = sim.data.get("/stocks/XLK/bars", {"timeframe": "1Day", "start": "2026-11-16"})
    assert answer["symbol"] == "XLK" and len(answer["bars"]) == 7


def test_a_bad_timeframe_is_refused_with_a_message(sim):
    with pytest.raises(APIError) as caught:
        sim.data.get("/stocks/bars", {"symbols": "XLK", "timeframe": "7Fortnight"})
    assert caught.value.status_code == 400 and "timeframe" in caught.value.message
    assert (
        Decimal(
            str(sim.data.get("/stocks/trades/latest", {"symbols": "XLK"})["trades"]["XLK"]["p"])
        )
        == 185
    )
