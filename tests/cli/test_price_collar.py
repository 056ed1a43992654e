"""``trader execute`` sends marketable limit orders within the price collar, end to end.

A paper account on a sim of this test process; the user's own alpaca-py reads the orders
as the broker has them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.requests import GetOrdersRequest

from .test_execute import paper_account, staged
from .test_run import Receiver

D = Decimal
ONE_SECOND = ("fill_timeout_seconds: 60", "fill_timeout_seconds: 1")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def sent_orders(client) -> dict[str, object]:
    orders = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=50))
    return {o.symbol: o for o in orders if o.client_order_id.startswith("trader-")}


def test_every_order_is_a_day_limit_order_at_the_price_plus_or_minus_the_collar(
    trader_main, config_file, shared_sim
):
    with paper_account(shared_sim, config_file) as (_server, env, config, client):
        plan = staged(trader_main, config, env)
        assert [(o["side"], o["symbol"]) for o in plan["orders"]] == [
            ("sell", "XLK"),
            ("buy", "QQQ"),
            ("buy", "XLF"),
        ]
        preview = trader_main("--config", config, "execute", env=env)
        assert preview.code == 0, preview.err
        assert (
            "Day limit orders within the 1% collar (execution.price_collar_pct): sell XLK "
            "$183.15, buy QQQ $414.10, buy XLF $40.40." in " ".join(preview.out.split())
        )
        result = trader_main("--config", config, "execute", "--confirm", "--json", env=env)
        assert result.code == 0, result.err
        orders = sent_orders(client)
    # The sim's prices: XLK 185.00, QQQ 410.00, XLF 40.00; the default collar is 1%.
    limits = {"XLK": D("183.15"), "QQQ": D("414.10"), "XLF": D("40.40")}
    for symbol, limit in limits.items():
        order = orders[symbol]
        assert (order.type.value, order.time_in_force.value) == ("limit", "day")
        assert D(str(order.limit_price)) == limit
        assert order.status.value == "filled"
        # A cash account without a spread fills at the last trade, inside the limit.
        assert D(str(order.filled_avg_price)) in (D(185), D(410), D(40))
    assert all(o["status"] == "filled" for o in json.loads(result.out)["orders"])


def test_order_type_market_still_sends_market_orders(trader_main, config_file, shared_sim):
    market = ("order_type: limit", "order_type: market")
    with paper_account(shared_sim, config_file, market) as (_server, env, config, client):
        staged(trader_main, config, env)
        result = trader_main("--config", config, "execute", "--confirm", env=env)
        assert result.code == 0, result.err
        orders = sent_orders(client)
    assert sorted(orders) == ["QQQ", "XLF", "XLK"]
    for order in orders.values():
        assert (order.type.value, order.time_in_force.value) == ("market", "day")
        assert order.limit_price is None
        assert order.status.value == "filled"


@pytest.mark.parametrize("cancel", [False, True])
def test_orders_the_quote_does_not_reach_within_the_collar_rest_and_are_said_so(
    trader_main, config_file, shared_sim, receiver, cancel
):
    # The plan is made at the last trades (QQQ 410.00). Then the market runs from them: the
    # sim's quote is 6% wide, so the ask is 3% above the last trade (QQQ 422.30) and the bid
    # 3% below (XLK 179.45). A buy limited 1% above the last trade (414.10) cannot fill,
    # nor a sell limited 1% below it (183.15): no order trades far from the checked price.
    with paper_account(shared_sim, config_file, ONE_SECOND) as (server, env, config, client):
        staged(trader_main, config, env)
        server.controls.set_margin(D(4), D(6))
        cash = D(str(client.get_account().cash))
        env = {**env, "TRADER_NOTIFY_URLS": receiver.url}
        flags = ["--cancel-unfilled"] if cancel else []
        result = trader_main("--config", config, "execute", "--confirm", *flags, env=env)
        orders = sent_orders(client)
        assert D(str(client.get_account().cash)) == cash  # nothing traded
    # Not a rejection (exit 8): open at the timeout is exit 18, as any open order; cancelled
    # with --cancel-unfilled, the run is done (exit 0).
    assert result.code == (0 if cancel else 18), result.err
    assert {o.type.value for o in orders.values()} == {"limit"}
    assert {o.status.value for o in orders.values()} == ({"canceled"} if cancel else {"new"})
    line = "buy QQQ: not filled within the 1% collar: limit $414.10, price now $410.00"
    sell_line = "sell XLK: not filled within the 1% collar: limit $183.15, price now $185.00"
    output = " ".join(result.out.split())
    assert line in output and sell_line in output
    ending = "cancelled (--cancel-unfilled)" if cancel else "it stays open at the broker"
    assert f"{line}; {ending}" in output
    (alert,) = receiver.messages
    assert line in alert["message"] and sell_line in alert["message"]
    assert "rejected" not in alert["title"]
