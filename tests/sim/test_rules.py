"""Every order rule answers with the real broker's status code and message."""

from __future__ import annotations

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    StopOrderRequest,
    TrailingStopOrderRequest,
)

DAY, GTC = TimeInForce.DAY, TimeInForce.GTC
BUY, SELL = OrderSide.BUY, OrderSide.SELL


def rejection(client, request_or_body):
    with pytest.raises(APIError) as caught:
        if isinstance(request_or_body, dict):
            client.post("/orders", request_or_body)
        else:
            client.submit_order(request_or_body)
    return caught.value.status_code, caught.value.code, caught.value.message


CASES = [
    (
        MarketOrderRequest(symbol="NOPE", qty=1, side=BUY, time_in_force=DAY),
        422,
        'could not find asset "NOPE"',
    ),
    (
        MarketOrderRequest(symbol="TVIX", qty=1, side=BUY, time_in_force=DAY),
        422,
        'asset "TVIX" is not tradable',
    ),
    (
        MarketOrderRequest(symbol="XLK", qty=1000, side=SELL, time_in_force=DAY),
        403,
        "insufficient qty available for order (requested: 1000, available: 17.3)",
    ),
    (
        MarketOrderRequest(symbol="VGT", qty=1, side=SELL, time_in_force=DAY),
        403,
        "insufficient qty available for order (requested: 1, available: 0)",
    ),
    (
        MarketOrderRequest(symbol="SPY", qty=100, side=BUY, time_in_force=DAY),
        403,
        "insufficient buying power",
    ),
    (
        MarketOrderRequest(symbol="SPY", notional=0.5, side=BUY, time_in_force=DAY),
        403,
        "cost basis must be >= 1",
    ),
    (
        MarketOrderRequest(symbol="TQQQ", qty=0.5, side=BUY, time_in_force=DAY),
        422,
        'fractional orders are not supported for "TQQQ": the asset is not fractionable',
    ),
    (
        MarketOrderRequest(symbol="XLK", qty=0.5, side=BUY, time_in_force=GTC),
        422,
        "fractional orders must be DAY orders",
    ),
    (
        TrailingStopOrderRequest(
            symbol="XLK", qty=0.5, side=SELL, time_in_force=DAY, trail_percent=5
        ),
        422,
        "fractional orders must be market, limit, stop, or stop limit orders",
    ),
    (
        LimitOrderRequest(symbol="XLK", notional=100, side=BUY, time_in_force=DAY, limit_price=180),
        422,
        "notional orders must be market DAY orders",
    ),
    (
        MarketOrderRequest(symbol="XLK", notional=100, side=BUY, time_in_force=GTC),
        422,
        "notional orders must be market DAY orders",
    ),
    (
        LimitOrderRequest(symbol="XLK", qty=1, side=BUY, time_in_force=DAY, limit_price=180.123),
        422,
        "invalid limit_price 180.123. sub-penny increment does not fulfill minimum pricing criteria",
    ),
    (
        LimitOrderRequest(symbol="XLK", qty=0.5, side=BUY, time_in_force=GTC, limit_price=180),
        422,
        "fractional orders must be DAY orders",
    ),
    (
        LimitOrderRequest(symbol="XLK", qty=0.5, side=BUY, time_in_force=DAY, limit_price=180.005),
        422,
        "invalid limit_price 180.005. sub-penny increment does not fulfill minimum pricing criteria",
    ),
    (
        LimitOrderRequest(symbol="XLK", qty=1, side=BUY, time_in_force=DAY, limit_price=0.12345),
        422,
        "invalid limit_price 0.12345. sub-penny increment does not fulfill minimum pricing criteria",
    ),
    (
        StopOrderRequest(symbol="XLK", qty=1, side=SELL, time_in_force=GTC, stop_price=170.005),
        422,
        "invalid stop_price 170.005. sub-penny increment does not fulfill minimum pricing criteria",
    ),
    (
        {
            "symbol": "XLK",
            "qty": "1",
            "notional": "100",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
        },
        422,
        "only one of qty or notional is accepted",
    ),
    (
        {
            "symbol": "XLK",
            "qty": "0.0000000001",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
        },
        422,
        "qty must have at most 9 decimal places",
    ),
    (
        {"symbol": "XLK", "side": "buy", "type": "market", "time_in_force": "day"},
        422,
        "qty or notional is required",
    ),
    (
        {
            "symbol": "XLK",
            "qty": "1",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
            "client_order_id": "x" * 129,
        },
        422,
        "client_order_id must be no more than 128 characters",
    ),
]


@pytest.mark.parametrize(("request_", "status", "message"), CASES)
def test_rule(sim, request_, status, message):
    got_status, code, got_message = rejection(sim.trading, request_)
    assert (got_status, got_message) == (status, message)
    # Alpaca answers some 422s with its 400-family code (as for client_order_id), never 403s.
    assert code == 40310000 if status == 403 else code in (40010001, 42210000)


def test_a_sub_penny_price_is_fine_under_one_dollar(sim):
    sim.controls.set_prices({"SCHD": "0.5"})
    request = LimitOrderRequest(
        symbol="SCHD", qty=10, side=BUY, time_in_force=GTC, limit_price=0.4512
    )
    assert sim.trading.submit_order(request).limit_price == "0.4512"


def test_nine_decimals_are_accepted(empty_sim):
    order = empty_sim.trading.post(
        "/orders",
        {
            "symbol": "XLK",
            "qty": "0.123456789",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
        },
    )
    assert order["qty"] == "0.123456789"


def test_a_client_order_id_is_unique_forever_even_after_cancel(sim):
    request = LimitOrderRequest(
        symbol="XLF", qty=1, side=BUY, time_in_force=GTC, limit_price=30, client_order_id="once"
    )
    order = sim.trading.submit_order(request)
    sim.trading.cancel_order_by_id(order.id)
    assert rejection(sim.trading, request) == (422, 40010001, "client_order_id must be unique")


def test_an_order_opposite_to_an_open_one_is_a_potential_wash_trade(sim):
    sim.trading.submit_order(
        LimitOrderRequest(symbol="XLE", qty=1, side=BUY, time_in_force=GTC, limit_price=50)
    )
    wash = MarketOrderRequest(symbol="XLE", qty=1, side=SELL, time_in_force=DAY)
    assert rejection(sim.trading, wash) == (
        403,
        40310000,
        "potential wash trade detected. use complex orders",
    )


def test_open_sells_reduce_what_is_available_to_sell(sim):
    sim.trading.submit_order(
        LimitOrderRequest(symbol="XLF", qty=20, side=SELL, time_in_force=DAY, limit_price=45)
    )
    again = MarketOrderRequest(symbol="XLF", qty=3, side=SELL, time_in_force=DAY)
    assert rejection(sim.trading, again)[2] == (
        "insufficient qty available for order (requested: 3, available: 2.5)"
    )


def test_an_unknown_asset_is_404_on_the_asset_endpoint(sim):
    with pytest.raises(APIError) as caught:
        sim.trading.get_asset("NOPE")
    assert caught.value.status_code == 404
    assert caught.value.message == "asset not found for NOPE"
