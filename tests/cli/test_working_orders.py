"""A plan counts the account's working orders, ours and the user's, as changes already on
their way: a trade that is working is not sent a second time."""

from __future__ import annotations

import json
from decimal import Decimal

from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import GetOrdersRequest, MarketOrderRequest

from tests.cli.test_execute import paper_account

D = Decimal
QUICK = ("fill_timeout_seconds: 60", "fill_timeout_seconds: 1")


def _orders(client, side: str, symbol: str) -> list:
    found = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL))
    return [
        o
        for o in found
        if o.symbol == symbol and o.side.value == side and o.client_order_id.startswith("trader-")
    ]


def _plan(trader_main, config, env, *extra: str) -> dict:
    result = trader_main("--config", config, "plan", "--json", *extra, env=env)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_sell_still_working_from_the_last_plan_is_not_sent_again(
    trader_main, config_file, shared_sim
):
    with paper_account(shared_sim, config_file, QUICK) as (server, env, config, client):
        first = _plan(trader_main, config, env)
        xlk = next(o for o in first["orders"] if o["symbol"] == "XLK")
        assert xlk["side"] == "sell"
        server.controls.set_fill_ratio("XLK", D(0))  # the broker fills the sale slowly
        executed = trader_main("--config", config, "execute", "--confirm", env=env)
        assert executed.code == 18, executed.out + executed.err
        second = _plan(trader_main, config, env)
        assert not any(o["symbol"] == "XLK" for o in second["orders"]), second["orders"]
        said = " ".join(second["warnings"])
        assert f"sell {xlk['qty']} XLK" in said and "not sent again" in said, said
        if second["orders"]:
            again = trader_main("--config", config, "execute", "--confirm", env=env)
            assert again.code in (0, 18), again.out + again.err
        sells = _orders(client, "sell", "XLK")
    assert len(sells) == 1, [(o.qty, o.status) for o in sells]


def test_a_plan_queued_before_the_open_is_counted_by_a_no_sync_plan(
    trader_main, config_file, shared_sim
):
    with paper_account(shared_sim, config_file, QUICK) as (server, env, config, client):
        server.controls.close_market()
        first = _plan(trader_main, config, env)
        queued = trader_main("--config", config, "execute", "--confirm", "--allow-queued", env=env)
        assert queued.code == 19, queued.out + queued.err
        server.controls.open_market()
        server.controls.set_fill_ratio("XLK", D(0))
        second = _plan(trader_main, config, env, "--no-sync")
        planned = {(o["side"], o["symbol"]) for o in first["orders"]}
        again = {(o["side"], o["symbol"]) for o in second["orders"]}
        assert not planned & again, (planned, again)
        assert "not sent again" in " ".join(second["warnings"])


def test_the_users_own_working_buy_counts_toward_its_category(trader_main, config_file, shared_sim):
    with paper_account(shared_sim, config_file, QUICK) as (server, env, config, client):
        first = _plan(trader_main, config, env)
        qqq = next(o for o in first["orders"] if o["symbol"] == "QQQ")
        server.controls.set_fill_ratio("QQQ", D(0))
        client.submit_order(
            MarketOrderRequest(
                symbol="QQQ", qty=qqq["qty"], side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        second = _plan(trader_main, config, env)
    assert not any(o["symbol"] == "QQQ" for o in second["orders"]), second["orders"]
    assert f"buy {qqq['qty']} QQQ" in " ".join(second["warnings"])


def test_execute_holds_back_the_cash_of_a_buy_placed_after_the_plan(
    trader_main, config_file, shared_sim
):
    # The seed account: $3,400 cash, $1,000 reserve. The plan buys; then the user buys
    # 5 VOO at $400 himself, which the broker has not filled yet. The account's cash does
    # not show that $2,000, so buys sized from the cash alone would spend what the user's
    # order needs: once it filled, cash would fall below the reserve.
    with paper_account(shared_sim, config_file, QUICK) as (server, env, config, client):
        server.controls.set_prices({"VOO": "400.00"})
        plan = _plan(trader_main, config, env)
        assert any(o["side"] == "buy" for o in plan["orders"]), plan["orders"]
        server.controls.set_fill_ratio("VOO", D(0))
        client.submit_order(
            MarketOrderRequest(
                symbol="VOO", qty=5, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        executed = trader_main("--config", config, "execute", "--confirm", env=env)
        assert executed.code in (0, 18), executed.out + executed.err
        cash = D(str(client.get_account().cash))
    assert cash - D(2000) >= D(1000), cash
    assert "$2,000.00 of the cash is held back for buys already working" in executed.out
