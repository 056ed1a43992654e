"""A margin account (as real paper accounts are): buying power four times the equity, cash
that may go negative, market buys that fill at the ask. ``trader`` never borrows: a plan
and its execution spend only the cash above the reserve, less the buy buffer."""

from __future__ import annotations

import json
from decimal import Decimal

from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

D = Decimal
LIMITS = (
    ("max_order_dollars: 10000", "max_order_dollars: 100000"),
    ("max_session_dollars: 50000", "max_session_dollars: 200000"),
    ("fill_timeout_seconds: 60", "fill_timeout_seconds: 5"),
    ("max_trades_per_session: 5", "max_trades_per_session: 20"),
    ("drift_threshold: 5 ", "drift_threshold: 2 "),  # the 5% categories are bought too
)


def invest_everything(
    trader_main, config_file, paper_env, shared_sim, buffer: str, *replacements: tuple[str, str]
) -> tuple[dict, Decimal, Decimal]:
    """Plan and execute a $100,000 empty margin account filling at a 0.5% spread; the
    plan, the cash after and the account's multiplier."""
    with shared_sim("empty") as server:
        server.controls.set_margin(D(4), D("0.5"))
        config = config_file(
            ("account: sim", "account: paper"),
            ("buy_buffer_pct: 2.5", f"buy_buffer_pct: {buffer}"),
            *LIMITS,
            *replacements,
            harvest=False,
        )
        env = paper_env(server)
        planned = trader_main("--config", str(config), "plan", "--json", env=env)
        assert planned.code == 0, planned.err
        executed = trader_main("--config", str(config), "execute", "--confirm", env=env)
        assert executed.code == 0, executed.out + executed.err
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, url_override=server.url)
        account = client.get_account()
        return json.loads(planned.out), D(account.cash), D(account.multiplier)


def test_fills_at_the_ask_never_take_the_cash_below_the_reserve(
    trader_main, config_file, paper_env, shared_sim
):
    plan, cash, multiplier = invest_everything(
        trader_main, config_file, paper_env, shared_sim, "2.5"
    )
    assert multiplier == 4
    buys = sum(D(o["est_value"]) for o in plan["orders"])
    # $99,000 above the $1,000 reserve, of which 2.5% of the buys stays in hand.
    assert buys * D("1.025") <= D(99000)
    assert buys > D(96000)
    assert cash >= D(1000)
    # The ask is 0.25% above the last trade: about $240 of the $2,400 buffer is used.
    assert cash < D(1000) + buys * D("0.025")


def test_without_the_buffer_the_same_plan_borrows_with_market_orders(
    trader_main, config_file, paper_env, shared_sim
):
    # The check above could fail: with no buffer, market buys filling at the ask overdraw
    # the reserve.
    market = ("order_type: limit", "order_type: market")
    _, cash, _ = invest_everything(trader_main, config_file, paper_env, shared_sim, "0", market)
    assert cash < D(1000)


def test_without_the_buffer_limit_orders_keep_the_reserve(
    trader_main, config_file, paper_env, shared_sim
):
    # Limit buys are sized at their limits, 1% above the last trade: the last buys shrink
    # by about $990, and fills at the ask (0.25% above) use about $250 of it.
    plan, cash, _ = invest_everything(trader_main, config_file, paper_env, shared_sim, "0")
    buys = sum(D(o["est_value"]) for o in plan["orders"])
    assert buys > D(98500)
    assert D(1000) <= cash < D(1000) + buys * D("0.01")


def test_a_margin_account_reports_buying_power_as_alpaca_defines_it(shared_sim):
    with shared_sim() as server:
        server.controls.set_margin(D(4), D("0.5"))
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, url_override=server.url)
        account = client.get_account()
        cash, equity = D(account.cash), D(account.equity)
        long_value = D(account.long_market_value)
        # multiplier 4: (equity - maintenance margin, 25% of the long value) * 4
        assert D(account.buying_power) == (equity - long_value / 4) * 4
        assert D(account.regt_buying_power) == (equity - long_value / 2) * 2
        assert D(account.non_marginable_buying_power) == cash
        # A raw buy beyond the cash is a margin loan: accepted, and cash goes negative.
        client.submit_order(
            MarketOrderRequest(
                symbol="SPY", qty=20, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        after = client.get_account()
        from alpaca.trading.enums import QueryOrderStatus
        from alpaca.trading.requests import GetOrdersRequest

        ours = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED, limit=1))
        ask = D(str(ours[0].filled_avg_price))
        assert D(after.cash) == cash - 20 * ask < 0
        # Beyond buying power (checked 2.5% above the price): Alpaca's 403.
        from alpaca.common.exceptions import APIError

        power = D(after.buying_power)
        qty = int(power / D(480) / D("1.025")) + 5
        try:
            client.submit_order(
                MarketOrderRequest(
                    symbol="SPY", qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
                )
            )
        except APIError as exc:
            assert exc.status_code == 403 and "insufficient buying power" in str(exc)
        else:
            raise AssertionError("a buy beyond buying power was accepted")
