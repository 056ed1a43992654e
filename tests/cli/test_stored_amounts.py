"""Amounts the engine works out exactly are rounded where the store keeps them: an
account with same-day buys at different prices must keep planning."""

from __future__ import annotations

import json


def two_symbol_config(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(
        "account: sim\n"
        "target_allocation: {stocks: 60, bonds: 40}\n"
        "categories: {stocks: [SPY], bonds: [BND]}\n"
        "portfolio: {cash_reserve: 1000}\n"
        "risk_management: {max_single_position: 100}\n"
        "execution: {max_order_dollars: 100000, max_session_dollars: 200000}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    return str(path)


def test_two_same_day_buys_at_different_prices_do_not_lock_the_account(trader_main, tmp_path):
    config = two_symbol_config(tmp_path)

    def ok(*args):
        result = trader_main("--config", config, *args)
        assert result.code == 0, (args, result.out, result.err)
        return result

    ok("sim", "reset", "--scenario", "empty")
    ok("plan")
    ok("execute", "--confirm")
    ok("sim", "price", "SPY", "430")
    ok("sim", "deposit", "20000")
    ok("plan")
    ok("execute", "--confirm")  # a second SPY buy the same day, at another price
    ok("sim", "price", "SPY", "700")
    planned = json.loads(ok("plan", "--json").out)
    sells = [o for o in planned["orders"] if o["side"] == "sell"]
    assert sells and sells[0]["symbol"] == "SPY"
    # Estimates are money: whole cents.
    for key in ("est_realized_pl", "est_short_term"):
        assert len(sells[0][key].partition(".")[2]) <= 2, sells[0]
    ok("plan", "--withdraw", "5000")
    ok("execute", "--confirm")
