"""Stock splits end to end: the sim splits, ``trader`` syncs the SPLIT activities, and the
lots, the trailing stop's peak and the plan come out right, by hand."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from decimal import Decimal

from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer

D = Decimal


def tech_config(tmp_path) -> str:
    # All in XLK, the rest of the cash held back: the plan has nothing to rebalance, so
    # only a trailing stop could make it trade.
    path = tmp_path / "tech.yaml"
    path.write_text(
        "account: paper\n"
        "target_allocation: {technology: 100}\n"
        "categories: {technology: [XLK]}\n"
        "rebalancing: {min_trade_dollars: 10}\n"
        "risk_management:\n"
        "  max_single_position: 100\n"
        "  trailing_stop: 10\n"
        "  tax_loss_harvesting: false\n"
        "portfolio: {cash_reserve: 98400}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    return str(path)


def buy(client: TradingClient, qty: int) -> None:
    client.submit_order(
        MarketOrderRequest(symbol="XLK", qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )


def bought_at_100(server) -> TradingClient:
    """The empty account buys 10 XLK at $100 at the open; the client, for more orders."""
    client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)
    server.controls.open_market()
    server.controls.set_prices({"XLK": "100.00"})
    buy(client, 10)
    return client


def later(server, days: int, price: str | None = None) -> None:
    """``days`` on, at the open, XLK at ``price``."""
    server.controls.advance(days=days)
    server.controls.open_market()
    if price is not None:
        server.controls.set_prices({"XLK": price})


def lots_of(trader_main, config: str, env: dict) -> list[tuple[str, str, str | None]]:
    result = trader_main("--config", config, "lots", "XLK", "--json", env=env)
    assert result.code == 0, result.err
    (holding,) = json.loads(result.out)["holdings"]
    return [(lot["qty"], lot["cost"], lot["acquired"]) for lot in holding["lots"]]


def peak(tmp_path) -> Decimal:
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    try:
        (value,) = database.execute("select peak from price_peak where symbol = 'XLK'").fetchone()
    finally:
        database.close()
    return D(str(value)).quantize(D("0.01"))


def test_a_two_for_one_then_a_one_for_four_split(trader_main, tmp_path, paper_env):
    with SimServer(scenario="empty") as server:
        env = paper_env(server)
        config = tech_config(tmp_path)
        client = bought_at_100(server)
        first_day = server.controls.now().date().isoformat()
        later(server, 10, "120.00")
        buy(client, 5)  # 5 at $120
        second_day = server.controls.now().date().isoformat()
        later(server, 3, "150.00")

        # Before any split: the peak since the first buy is today's $150, no stop.
        before = trader_main("--config", config, "plan", "--json", env=env)
        assert before.code == 0, before.err
        assert json.loads(before.out)["orders"] == []
        assert peak(tmp_path) == D("150.00")

        # Two for one at the next open: 30 shares at $75.
        later(server, 1)
        server.controls.split("XLK", "2", "1")
        plan = json.loads(trader_main("--config", config, "plan", "--json", env=env).out)
        assert plan["orders"] == []  # no trailing-stop sale: the peak is $75 now, not $150
        assert not [w for w in plan["warnings"] if "trailing stop" in w]
        assert peak(tmp_path) == D("75.00")
        assert lots_of(trader_main, config, env) == [
            ("20", "50", first_day),
            ("10", "60", second_day),
        ]

        # One for four the day after: 7.5 shares at $300.
        later(server, 1)
        server.controls.split("XLK", "1", "4")
        plan = json.loads(trader_main("--config", config, "plan", "--json", env=env).out)
        assert plan["orders"] == []
        assert peak(tmp_path) == D("300.00")
        assert lots_of(trader_main, config, env) == [
            ("5", "200", first_day),
            ("2.5", "240", second_day),
        ]

        shown = trader_main("--config", config, "lots", "XLK", env=env)
        assert "split 2:1 on" in shown.out and "split 1:4 on" in shown.out
        # Each split was recorded once, both legs: four SPLIT rows.
        database = sqlite3.connect(tmp_path / "home" / "trader.db")
        rows = database.execute(
            "select sub_type, qty from corporate_action where kind = 'SPLIT' order by id"
        ).fetchall()
        database.close()
        assert sorted((sub, D(str(q))) for sub, q in rows) == [
            ("FSPLIT", D(-15)),
            ("FSPLIT", D(30)),
            ("RSPLIT", D(-30)),
            ("RSPLIT", D("7.5")),
        ]


def test_a_fall_after_the_split_still_triggers_the_stop(trader_main, tmp_path, paper_env):
    """The rescaled peak is a real peak: 12% below it, the winner is sold."""
    with SimServer(scenario="empty") as server:
        env = paper_env(server)
        config = tech_config(tmp_path)
        bought_at_100(server)
        later(server, 5, "150.00")
        assert trader_main("--config", config, "plan", "--json", env=env).code == 0
        later(server, 1)
        server.controls.split("XLK", "2", "1")
        server.controls.set_prices({"XLK": "66.00"})  # 12% below the $75 peak, above cost $50
        plan = json.loads(trader_main("--config", config, "plan", "--json", env=env).out)
        stops = [o for o in plan["orders"] if o["kind"] == "trailing_stop"]
        assert [(o["side"], o["symbol"], o["qty"]) for o in stops] == [("sell", "XLK", "20")]
        assert "peaked at $75.00" in stops[0]["reason"]


def test_trader_sim_split_and_dividend_on_the_command_line(trader_main, config_file):
    config = str(config_file())
    early = trader_main("--config", config, "sim", "split", "XLK", "2:1")
    assert early.code == 2 and "not after the scenario's first day" in early.err
    for bad in ("2:x", "1:1", "0", "2:1:1"):
        refused = trader_main("--config", config, "sim", "split", "XLK", bad)
        assert refused.code == 2 and "ratio" in refused.err, bad
    assert trader_main("--config", config, "sim", "clock", "--days", "1").code == 0
    done = trader_main("--config", config, "sim", "split", "XLK", "2:1")
    assert done.code == 0, done.err
    assert "XLK split 2:1 on" in done.out
    synced = trader_main("--config", config, "sync")
    assert "corporate action: XLK: split 2:1 on" in synced.out
    again = trader_main("--config", config, "sync", "--json")
    assert json.loads(again.out)["corporate_actions"] == []  # read once
    paid = trader_main("--config", config, "sim", "dividend", "TLT", "0.31")
    assert paid.code == 0 and "TLT paid $" not in paid.out and "TLT paid" in paid.out
    shown = trader_main("--config", config, "lots", "XLK")
    assert shown.code == 0, shown.err
    assert "split 2:1 on" in shown.out


def test_a_split_refused_for_its_day_says_how_to_move_the_clock(trader_main, config_file):
    config = str(config_file())
    # Right after a reset the sim's today is the scenario's first day: no split can be booked
    # on it, and the refusal names the command that moves the clock to a day that can.
    assert trader_main("--config", config, "sim", "reset").code == 0
    early = trader_main("--config", config, "sim", "split", "XLK", "2:1")
    assert early.code == 2
    assert "trader sim clock --days 1" in early.err, early.err
    now = json.loads(trader_main("--config", config, "sim", "clock").out)["now"]
    ahead = date.fromisoformat(now[:10]) + timedelta(days=3)
    later = trader_main("--config", config, "sim", "split", "XLK", "2:1", "--date", str(ahead))
    assert later.code == 2
    assert "trader sim clock --days 3" in later.err, later.err
    # Doing what it says works.
    assert trader_main("--config", config, "sim", "clock", "--days", "1").code == 0
    done = trader_main("--config", config, "sim", "split", "XLK", "2:1")
    assert done.code == 0, done.err
