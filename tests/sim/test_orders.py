"""Orders through alpaca-py: submission, look-ups, listing, cancelling and how they fill."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from alpaca.common.enums import Sort
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import (
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    StopOrderRequest,
    TrailingStopOrderRequest,
)


def market(symbol, side, client_order_id=None, **amount):
    return MarketOrderRequest(
        symbol=symbol,
        side=OrderSide(side),
        time_in_force=TimeInForce.DAY,
        client_order_id=client_order_id,
        **amount,
    )


def test_a_market_order_answers_accepted_then_reads_back_filled(empty_sim):
    client = empty_sim.trading
    order = client.submit_order(market("XLK", "buy", "buy-xlk-1", qty=2))
    assert order.status.value == "accepted"
    assert Decimal(order.filled_qty) == 0 and order.filled_avg_price is None
    assert order.client_order_id == "buy-xlk-1" and order.symbol == "XLK"
    filled = client.get_order_by_id(order.id)
    assert filled.status.value == "filled"
    assert Decimal(filled.filled_qty) == 2 and Decimal(filled.filled_avg_price) == Decimal("185")
    assert filled.filled_at is not None
    assert client.get_order_by_client_id("buy-xlk-1").id == order.id
    assert Decimal(client.get_account().cash) == Decimal("100000") - Decimal("370.00")


def test_a_notional_order_buys_fractional_shares_for_the_amount(empty_sim):
    order = empty_sim.trading.submit_order(market("SPY", "buy", notional=1000))
    assert order.qty is None and order.notional == "1000"
    filled = empty_sim.trading.get_order_by_id(order.id)
    assert Decimal(filled.filled_qty) == Decimal("2.083333333")  # 1000 / 480, rounded down
    assert Decimal(empty_sim.trading.get_account().cash) == Decimal("100000") - Decimal("1000.00")


def test_order_ids_are_uuids_and_reproducible_between_runs():
    from trader.sim import SimServer

    from .conftest import make_clients

    ids = []
    for _ in range(2):
        with SimServer(scenario="empty") as server:
            order = make_clients(server).trading.submit_order(market("XLV", "buy", qty=1))
            ids.append((str(order.id), order.client_order_id))
    assert ids[0] == ids[1]


def test_the_average_entry_price_is_weighted_by_quantity(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    client.submit_order(market("XLF", "buy", qty=10))
    controls.set_prices({"XLF": Decimal("50.00")})
    client.submit_order(market("XLF", "buy", qty=30))
    position = client.get_open_position("XLF")
    assert Decimal(position.qty) == 40
    assert Decimal(position.avg_entry_price) == Decimal("47.5")  # (10*40 + 30*50) / 40
    client.submit_order(market("XLF", "sell", qty=15))
    after_sell = client.get_open_position("XLF")
    assert Decimal(after_sell.qty) == 25
    assert Decimal(after_sell.avg_entry_price) == Decimal("47.5")  # sells leave it alone
    client.submit_order(market("XLF", "sell", qty=25))
    assert client.get_all_positions() == []


def test_a_limit_order_fills_only_once_the_price_reaches_it(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    request = LimitOrderRequest(
        symbol="XLE", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=60
    )
    order = client.submit_order(request)
    assert client.get_order_by_id(order.id).status.value == "new"
    controls.set_prices({"XLE": Decimal("61.00")})
    assert client.get_order_by_id(order.id).status.value == "new"
    controls.set_prices({"XLE": Decimal("59.50")})
    filled = client.get_order_by_id(order.id)
    assert filled.status.value == "filled"
    assert Decimal(filled.filled_avg_price) == Decimal("59.5")


def test_a_marketable_limit_order_trades_at_the_quote_and_only_within_its_limit(empty_sim):
    # A margin account quoting a 2% spread: XLE last 60.00, bid 59.40, ask 60.60.
    client, controls = empty_sim.trading, empty_sim.controls
    controls.set_prices({"XLE": Decimal("60.00")})
    controls.set_margin(Decimal(4), Decimal(2))

    def buy(limit):
        return client.submit_order(
            LimitOrderRequest(
                symbol="XLE",
                qty=1.5,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.DAY,
                limit_price=limit,
            )
        )

    # The last trade is within a 60.50 limit, the ask is not: the buy rests.
    resting = buy(60.50)
    assert client.get_order_by_id(resting.id).status.value == "new"
    client.cancel_order_by_id(resting.id)
    # Within a 60.60 limit the fractional day limit order fills at the ask, not the limit.
    filled = client.get_order_by_id(buy(60.70).id)
    assert filled.status.value == "filled"
    assert Decimal(filled.filled_avg_price) == Decimal("60.6")
    # A sell limit above the bid rests too.
    sell = client.submit_order(
        LimitOrderRequest(
            symbol="XLE",
            qty=1,
            side=OrderSide.SELL,
            time_in_force=TimeInForce.DAY,
            limit_price=59.5,
        )
    )
    assert client.get_order_by_id(sell.id).status.value == "new"
    controls.set_prices({"XLE": Decimal("60.20")})  # bid 59.59: now it fills there
    sold = client.get_order_by_id(sell.id)
    assert sold.status.value == "filled"
    assert Decimal(sold.filled_avg_price) == Decimal("59.59")


def test_open_buy_orders_reserve_buying_power(empty_sim):
    client = empty_sim.trading
    request = LimitOrderRequest(
        symbol="SPY", qty=100, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=400
    )
    client.submit_order(request)
    assert Decimal(client.get_account().buying_power) == Decimal("60000")
    with pytest.raises(APIError) as caught:
        client.submit_order(market("VOO", "buy", qty=200))
    assert caught.value.status_code == 403
    assert caught.value.message == "insufficient buying power"


def test_a_stop_order_triggers_when_the_price_falls_through_it(sim):
    client, controls = sim.trading, sim.controls
    request = StopOrderRequest(
        symbol="XLK", qty=5, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, stop_price=180
    )
    order = client.submit_order(request)
    controls.set_prices({"XLK": Decimal("181.00")})
    assert client.get_order_by_id(order.id).status.value == "new"
    controls.set_prices({"XLK": Decimal("179.00")})
    assert client.get_order_by_id(order.id).status.value == "filled"
    assert Decimal(client.get_open_position("XLK").qty) == Decimal("12.3")


def test_a_trailing_stop_follows_the_high_water_mark_and_triggers_below_it(sim):
    client, controls = sim.trading, sim.controls
    request = TrailingStopOrderRequest(
        symbol="SPY", qty=2, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, trail_percent=5
    )
    order = client.submit_order(request)
    controls.set_prices({"SPY": Decimal("500.00")})
    working = client.get_order_by_id(order.id)
    assert Decimal(working.hwm) == 500 and Decimal(working.stop_price) == 475
    controls.set_prices({"SPY": Decimal("476.00")})  # down from 500 but above 475
    assert client.get_order_by_id(order.id).status.value == "new"
    controls.set_prices({"SPY": Decimal("474.90")})
    filled = client.get_order_by_id(order.id)
    assert filled.status.value == "filled"
    assert Decimal(filled.filled_avg_price) == Decimal("474.9")


def test_orders_sent_while_the_market_is_closed_fill_at_the_next_open(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    controls.close_market()
    assert client.get_clock().is_open is False
    order = client.submit_order(market("XLV", "buy", qty=3))
    controls.advance(minutes=60)
    assert client.get_order_by_id(order.id).status.value == "accepted"
    controls.open_market()
    assert controls.now().isoformat() == "2026-11-25T09:30:00-05:00"
    filled = client.get_order_by_id(order.id)
    assert filled.status.value == "filled"
    assert filled.filled_at.isoformat().startswith("2026-11-25T14:30:00")


def test_day_orders_still_working_at_the_close_expire(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    day = LimitOrderRequest(
        symbol="XLU", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, limit_price=70
    )
    gtc = LimitOrderRequest(
        symbol="XLP", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=70
    )
    day_order, gtc_order = client.submit_order(day), client.submit_order(gtc)
    controls.advance(days=1)
    assert client.get_order_by_id(day_order.id).status.value == "expired"
    assert client.get_order_by_id(gtc_order.id).status.value == "new"


def test_a_fill_ratio_fills_part_now_and_the_rest_when_reset(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    controls.set_fill_ratio("XLK", "0.5")
    order = client.submit_order(market("XLK", "buy", qty=10))
    partial = client.get_order_by_id(order.id)
    assert partial.status.value == "partially_filled" and Decimal(partial.filled_qty) == 5
    controls.advance(minutes=1)
    assert Decimal(client.get_order_by_id(order.id).filled_qty) == 5
    controls.set_fill_ratio("XLK", 1)
    controls.advance(minutes=1)
    assert client.get_order_by_id(order.id).status.value == "filled"
    fills = client.get("/account/activities/FILL", {"direction": "asc"})
    assert [(f["type"], f["qty"], f["cum_qty"], f["leaves_qty"]) for f in fills] == [
        ("partial_fill", "5", "5", "5"),
        ("fill", "5", "10", "0"),
    ]


def test_cancel_one_order_then_the_rest(empty_sim):
    client = empty_sim.trading
    ids = [
        client.submit_order(
            LimitOrderRequest(
                symbol=s, qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=10
            )
        ).id
        for s in ("XLK", "XLV", "XLF")
    ]
    assert client.cancel_order_by_id(ids[0]) is None
    assert client.get_order_by_id(ids[0]).status.value == "canceled"
    with pytest.raises(APIError) as caught:
        client.cancel_order_by_id(ids[0])
    assert caught.value.status_code == 422
    responses = client.cancel_orders()
    assert sorted(str(r.id) for r in responses) == sorted(str(i) for i in ids[1:])
    assert {r.status for r in responses} == {200}
    assert client.get_orders() == []


def test_unknown_orders_are_404(empty_sim):
    with pytest.raises(APIError) as caught:
        empty_sim.trading.get_order_by_client_id("never-sent")
    assert caught.value.status_code == 404
    assert caught.value.message == "order not found for never-sent"
    with pytest.raises(APIError) as caught:
        empty_sim.trading.get_order_by_id("00000000-0000-4000-8000-000000000000")
    assert caught.value.status_code == 404


def test_listing_orders_filters_by_status_time_symbol_and_side(sim):
    client, controls = sim.trading, sim.controls
    seeded = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))
    assert len(seeded) > 14 and all(o.status.value == "filled" for o in seeded)
    times = [o.submitted_at for o in seeded]
    assert times == sorted(times, reverse=True)  # newest first by default
    start = controls.now()
    open_order = client.submit_order(
        LimitOrderRequest(
            symbol="XLK", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, limit_price=300
        )
    )
    controls.advance(minutes=5)
    client.submit_order(market("XLV", "buy", qty=1))
    assert [o.id for o in client.get_orders()] == [open_order.id]
    closed_now = client.get_orders(
        GetOrdersRequest(status=QueryOrderStatus.CLOSED, after=start + timedelta(minutes=1))
    )
    assert [o.symbol for o in closed_now] == ["XLV"]
    mine = client.get_orders(
        GetOrdersRequest(
            status=QueryOrderStatus.ALL, symbols=["XLK", "XLV"], after=start - timedelta(seconds=1)
        )
    )
    assert [o.symbol for o in mine] == ["XLV", "XLK"]
    sells = client.get_orders(
        GetOrdersRequest(
            status=QueryOrderStatus.ALL, side=OrderSide.SELL, after=start - timedelta(seconds=1)
        )
    )
    assert [o.id for o in sells] == [open_order.id]
    oldest = client.get_orders(
        GetOrdersRequest(status=QueryOrderStatus.ALL, limit=3, direction=Sort.ASC)
    )
    assert [o.submitted_at for o in oldest] == sorted(times)[:3]


def test_a_trailing_stop_by_price_and_a_buy_side_one(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    client.submit_order(market("QQQ", "buy", qty=4))
    sell = client.submit_order(
        TrailingStopOrderRequest(
            symbol="QQQ", qty=4, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, trail_price=10
        )
    )
    buy = client.submit_order(
        TrailingStopOrderRequest(
            symbol="IWM", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, trail_percent=2
        )
    )
    controls.set_prices({"QQQ": "420.00", "IWM": "190.00"})  # new high for QQQ, new low for IWM
    assert Decimal(client.get_order_by_id(sell.id).stop_price) == Decimal("410")
    assert Decimal(client.get_order_by_id(buy.id).stop_price) == Decimal("193.8")
    controls.set_prices({"QQQ": "410.00", "IWM": "193.80"})
    assert client.get_order_by_id(sell.id).status.value == "filled"
    assert client.get_order_by_id(buy.id).status.value == "filled"


def test_a_stop_limit_needs_the_trigger_and_then_the_limit(sim):
    from alpaca.trading.requests import StopLimitOrderRequest

    client, controls = sim.trading, sim.controls
    order = client.submit_order(
        StopLimitOrderRequest(
            symbol="XLV",
            qty=2,
            side=OrderSide.SELL,
            time_in_force=TimeInForce.GTC,
            stop_price=140,
            limit_price=139,
        )
    )
    controls.set_prices({"XLV": "138.00"})  # triggered, but below the limit
    assert client.get_order_by_id(order.id).status.value == "new"
    controls.set_prices({"XLV": "139.50"})  # back above the limit: sells
    filled = client.get_order_by_id(order.id)
    assert filled.status.value == "filled" and Decimal(filled.filled_avg_price) == Decimal("139.5")


def test_a_notional_order_sent_while_closed_is_sized_at_the_open_price(empty_sim):
    client, controls = empty_sim.trading, empty_sim.controls
    controls.close_market()
    order = client.submit_order(market("GLD", "buy", notional=500))
    controls.set_prices({"GLD": "250.00"})  # prices may move while the market is shut
    controls.open_market()
    filled = client.get_order_by_id(order.id)
    assert Decimal(filled.filled_qty) == 2 and Decimal(filled.filled_avg_price) == 250
