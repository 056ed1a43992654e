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


@pytest.mark.parametrize("value", [0, -1, 1e-9, 4e-7])
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
        assert "latest trade price" in result.err and "sane range" in result.err
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
