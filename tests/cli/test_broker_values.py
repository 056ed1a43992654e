"""A bad value from the broker stops the command with exit 7 naming it, before any plan
is built on it: never a traceback, a trillion-share order or a storage error."""

from __future__ import annotations

import pytest

LATEST_TRADES = "/v2/stocks/trades/latest"


def _every_price(value):
    def edit(body):
        for trade in body["trades"].values():
            trade["p"] = value
        return body

    return edit


@pytest.mark.parametrize("value", [0, -1, 1e-9, 4e-7, float("nan")])
def test_a_bad_latest_price_is_exit_7_and_stages_nothing(
    trader_main, config_file, shared_sim, paper_env, value
):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(("account: sim", "account: paper")))
        server.controls.rewrite_next(LATEST_TRADES, _every_price(value), count=10)
        result = trader_main("--config", config, "plan", env=env)
        assert result.code == 7, (result.out, result.err)
        assert "Traceback" not in result.err
        assert "latest trade price" in result.err
        assert "sane range" in result.err or "not a finite number" in result.err
        server.controls.clear_faults()
        history = trader_main("--config", config, "history", env=env)
    assert "staged" not in history.out


def test_a_symbol_with_escape_codes_is_never_printed_raw(
    trader_main, config_file, shared_sim, paper_env
):
    def edit(body):
        body[0]["symbol"] = "XL\x1b[2JK"
        return body

    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(("account: sim", "account: paper")))
        server.controls.rewrite_next("/v2/positions", edit, count=10)
        result = trader_main("--config", config, "sync", env=env)
    assert "\x1b" not in result.out + result.err
    assert "XL\\x1b[2JK" in " ".join(result.out.split())


@pytest.mark.parametrize("value", [0, -1, 1e-9, float("nan")])
def test_a_bad_latest_price_at_execute_is_exit_7_and_sends_nothing(
    trader_main, config_file, shared_sim, paper_env, value
):
    with shared_sim("margin") as server:
        server.controls.open_market()
        server.controls.deposit("21600.00")  # a plan with buys
        env = paper_env(server)
        config = str(config_file(("account: sim", "account: paper"), harvest=False))
        planned = trader_main("--config", config, "plan", env=env)
        assert planned.code == 0, planned.err
        before = len(server.controls.requests())
        server.controls.rewrite_next(LATEST_TRADES, _every_price(value), count=10)
        executed = trader_main("--config", config, "execute", "--confirm", env=env)
        assert executed.code == 7, (executed.out, executed.err)
        assert "Traceback" not in executed.err
        assert "latest trade price" in executed.err
        sent = [
            r
            for r in server.controls.requests()[before:]
            if r["method"] == "POST" and r["path"] == "/v2/orders"
        ]
        assert sent == []
