"""Splits and dividends in the sim, seen through alpaca-py: positions, activities, bars."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import LimitOrderRequest

from trader.sim import SimServer
from trader.sim.persistence import from_json, to_json

D = Decimal


def bars(sim, adjustment: Adjustment, start: date) -> dict[date, float]:
    found = sim.data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols="XLK",
            timeframe=TimeFrame.Day,
            start=start,
            adjustment=adjustment,
            feed=DataFeed.IEX,
        )
    )
    return {b.timestamp.date(): b.close for b in found.data["XLK"]}


def test_a_split_rewrites_the_position_and_books_two_legs(sim):
    before = sim.trading.get_open_position("XLK")
    qty, average = D(before.qty), D(before.avg_entry_price)
    sim.controls.advance(days=1)
    sim.controls.open_market()
    order = sim.trading.submit_order(
        LimitOrderRequest(
            symbol="XLK", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=1
        )
    )
    sim.controls.split("XLK", "2", "1")
    after = sim.trading.get_open_position("XLK")
    assert D(after.qty) == 2 * qty
    assert D(after.avg_entry_price) == (average / 2).quantize(D("0.000000001"))
    assert D(after.current_price) == D("92.50")  # the seed's $185.00, halved
    assert D(after.lastday_price) < 100  # yesterday's close in today's shares
    assert sim.trading.get_order_by_id(order.id).status.value == "canceled"
    legs = sim.trading.get("/account/activities/SPLIT")
    assert [(leg["qty"], leg["price"]) for leg in legs] in (
        [(str(2 * qty), "92.5"), (str(-qty), "185")],
        [(str(-qty), "185"), (str(2 * qty), "92.5")],
    )
    assert legs[0]["group_id"] == legs[1]["group_id"]
    assert "From QTY:" in legs[0]["description"]


def test_bars_are_raw_or_split_adjusted_as_asked(sim):
    today = sim.controls.now().date()
    sim.controls.advance(days=1)
    sim.controls.open_market()
    split_day = sim.controls.now().date()
    sim.controls.split("XLK", "1", "4")
    start = today - timedelta(days=10)
    raw = bars(sim, Adjustment.RAW, start)
    adjusted = bars(sim, Adjustment.SPLIT, start)
    every = bars(sim, Adjustment.ALL, start)
    assert adjusted == every
    assert raw[split_day] == adjusted[split_day] == 740.0  # $185 times four
    earlier = [day for day in raw if day < split_day]
    assert earlier and all(adjusted[day] == round(raw[day] * 4, 2) for day in earlier)
    assert raw[today] == 185.0


def test_a_split_cannot_precede_a_trade_or_the_history():
    with SimServer() as server:
        now = server.controls.now().date()
        with pytest.raises(ValueError, match="not after the scenario's first day"):
            server.controls.split("XLK", "2", "1")
        with pytest.raises(ValueError, match="after the sim's today"):
            server.controls.split("XLK", "2", "1", now + timedelta(days=3))
        with pytest.raises(ValueError, match="two different positive numbers"):
            server.controls.split("XLK", "1", "1")
        with pytest.raises(ValueError, match="unknown symbol"):
            server.controls.split("NOPE", "2", "1")


def test_a_dividend_is_cash_and_a_div_activity(sim):
    cash = D(sim.trading.get_account().cash)
    held = D(sim.trading.get_open_position("TLT").qty)
    paid = sim.controls.dividend("TLT", "0.31")
    assert paid == (held * D("0.31")).quantize(D("0.01"))
    assert D(sim.trading.get_account().cash) == cash + paid
    (activity,) = sim.trading.get("/account/activities", {"activity_types": "DIV"})
    assert (activity["activity_sub_type"], activity["net_amount"]) == ("CDIV", str(paid))
    with pytest.raises(ValueError, match="not held"):
        sim.controls.dividend("VGT", "1")


def test_splits_survive_the_state_file(sim):
    sim.controls.advance(days=1)
    sim.controls.split("XLK", "3", "2")
    with sim.server.app.reading() as state:
        again = from_json(to_json(state))
        assert again.splits == state.splits and again.non_trade == state.non_trade


def test_a_split_dated_in_the_past_rescales_the_closes_recorded_since(empty_sim):
    sim = empty_sim
    sim.controls.set_prices({"XLK": "200.00"})
    sim.controls.advance(days=4)  # four sessions close at $200 and are recorded
    today = sim.controls.now().date()
    back = today - timedelta(days=2)
    sim.controls.split("XLK", "2", "1", back)
    raw = bars(sim, Adjustment.RAW, today - timedelta(days=6))
    assert all(close == 100.0 for day, close in raw.items() if day >= back)
    assert all(close != 100.0 for day, close in raw.items() if day < back)
    adjusted = bars(sim, Adjustment.ALL, today - timedelta(days=6))
    assert {day: round(close, 2) for day, close in adjusted.items() if day >= back} == {
        day: 100.0 for day in raw if day >= back
    }


def test_a_split_cannot_be_dated_before_a_fill_of_the_symbol(empty_sim):
    sim = empty_sim
    sim.controls.advance(days=3)
    sim.controls.open_market()
    sim.trading.submit_order(
        LimitOrderRequest(
            symbol="XLK", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=999
        )
    )
    with pytest.raises(ValueError, match="a split must come after the symbol's last fill"):
        sim.controls.split("XLK", "2", "1", sim.controls.now().date() - timedelta(days=1))


def test_a_withdrawal_is_cash_out_and_a_csw_activity(sim):
    cash = D(sim.trading.get_account().cash)
    left = sim.controls.withdraw("1500.00")
    assert left == cash - D("1500.00") == D(sim.trading.get_account().cash)
    (activity,) = sim.trading.get("/account/activities", {"activity_types": "TRANS,CSW"})
    assert (activity["activity_type"], activity["net_amount"]) == ("CSW", "-1500")
    assert sim.trading.get("/account/activities", {"activity_types": "CSD"}) == []
    with pytest.raises(ValueError, match="holds only"):
        sim.controls.withdraw(str(left + 1))
    with pytest.raises(ValueError, match="positive amount in cents"):
        sim.controls.withdraw("0.001")
