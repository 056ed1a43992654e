"""The market-data feed as a setting, and the sim's data plans.

A new Alpaca account has the free plan: SIP (every US exchange) only 15 minutes late,
IEX (one exchange) in real time. ``auto`` reads history from SIP and the latest price
from SIP when the plan allows, else from IEX.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.enums import DataFeed
from alpaca.data.historical.stock import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest, StockLatestTradeRequest
from alpaca.data.timeframe import TimeFrame

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

from .conftest import make_broker


def feeds(sim, path: str) -> list[str]:
    return [
        parse_qs(r["query"]).get("feed", [""])[0]
        for r in sim.controls.requests()
        if r["path"] == path
    ]


LATEST = "/v2/stocks/trades/latest"
BARS = "/v2/stocks/bars"


def test_the_free_plan_refuses_recent_sip_with_alpacas_message(sim):
    client = StockHistoricalDataClient(SIM_KEY_ID, SIM_SECRET_KEY, url_override=sim.url)
    with pytest.raises(APIError) as refused:
        client.get_stock_latest_trade(
            StockLatestTradeRequest(symbol_or_symbols="SPY", feed=DataFeed.SIP)
        )
    assert refused.value.status_code == 403
    assert "subscription does not permit querying recent SIP data" in str(refused.value)
    now = sim.controls.now()
    with pytest.raises(APIError):
        client.get_stock_bars(
            StockBarsRequest(
                symbol_or_symbols="SPY",
                timeframe=TimeFrame.Minute,
                start=now - timedelta(hours=1),
                end=now - timedelta(minutes=5),
                feed=DataFeed.SIP,
            )
        )
    # Older than 15 minutes, SIP is free.
    bars = client.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="SPY",
            timeframe=TimeFrame.Day,
            start=now - timedelta(days=10),
            end=now - timedelta(days=1),
            feed=DataFeed.SIP,
        )
    )
    assert len(bars.data["SPY"]) >= 5
    for feed in (DataFeed.IEX, DataFeed.DELAYED_SIP):
        trade = client.get_stock_latest_trade(
            StockLatestTradeRequest(symbol_or_symbols="SPY", feed=feed)
        )
        assert trade["SPY"].price > 0


def test_auto_falls_back_to_iex_on_the_free_plan_once(sim):
    broker = make_broker(sim.url)
    sim.controls.clear_requests()
    first = broker.latest_prices(["SPY", "XLK"])
    second = broker.latest_prices(["SPY", "XLK"])
    assert first == second and set(first) == {"SPY", "XLK"}
    assert feeds(sim, LATEST) == ["sip", "iex", "iex"]


def test_auto_reads_sip_when_the_plan_allows(sim):
    sim.controls.set_data_plan("unlimited")
    broker = make_broker(sim.url)
    sim.controls.clear_requests()
    broker.latest_prices(["SPY"])
    assert feeds(sim, LATEST) == ["sip"]


@pytest.mark.parametrize("feed", ["iex", "delayed_sip", "sip"])
def test_an_explicit_feed_is_used_as_is(sim, feed):
    sim.controls.set_data_plan("unlimited")
    broker = make_broker(sim.url, data_feed=feed)
    sim.controls.clear_requests()
    broker.latest_prices(["SPY"])
    assert feeds(sim, LATEST) == [feed]


def test_an_explicit_sip_on_the_free_plan_is_a_clear_error(sim):
    from trader.errors import BrokerError

    broker = make_broker(sim.url, data_feed="sip")
    with pytest.raises(BrokerError, match="recent SIP"):
        broker.latest_prices(["SPY"])


def test_history_comes_from_sip_on_auto_and_iex_when_asked(sim):
    today = sim.controls.now().date()
    for feed, expected in (("auto", "sip"), ("iex", "iex"), ("delayed_sip", "sip")):
        broker = make_broker(sim.url, data_feed=feed)
        sim.controls.clear_requests()
        bars = broker.daily_bars(["SPY"], today - timedelta(days=30), today)
        assert len(bars["SPY"]) >= 15
        assert feeds(sim, BARS) == [expected]


def test_a_sip_history_request_never_reaches_into_the_last_quarter_hour(sim):
    broker = make_broker(sim.url)
    sim.controls.clear_requests()
    broker.daily_bars(["SPY"], date(2026, 10, 1), date.today() + timedelta(days=1))
    (query,) = [r["query"] for r in sim.controls.requests() if r["path"] == BARS]
    assert "end" not in parse_qs(query)
