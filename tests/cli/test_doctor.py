"""``trader doctor``: every check passes or fails with a reason and a fix; exit 0 only when
all pass; the endpoints are shown even when nothing can be reached; never an order."""

from __future__ import annotations

import json
import time

PAPER_ENV = {
    "APCA_API_BASE_URL": "https://paper-api.alpaca.markets",
    "APCA_API_KEY_ID": "PKTESTKEY",
    "APCA_API_SECRET_KEY": "not-a-real-secret-0123456789",
}


def test_the_embedded_sim_passes_every_check(trader_main):
    result = trader_main("doctor", "--json")
    assert result.code == 0, result.out + result.err
    found = json.loads(result.out)
    assert found["ok"] and found["mode"] == "sim"
    assert [c["name"] for c in found["checks"]] == [
        "endpoints",
        "keys",
        "reachable",
        "keys accepted",
        "account",
        "clock",
        "data feed",
        "assets",
        "daily bars",
        "database",
    ]
    checks = {c["name"]: c["detail"] for c in found["checks"]}
    assert "********0001" in checks["account"] and "cash account" in checks["account"]
    assert "all 16 configured symbols exist and are tradable" in checks["assets"]
    assert "iex latest: ok" in checks["data feed"]
    assert "subscription does not permit querying recent SIP data" in checks["data feed"]
    # Doctor reads: the sim holds no order afterwards.
    orders = trader_main("orders", "--json")
    assert orders.code == 0
    assert [o for o in json.loads(orders.out) if o["status"] != "filled"] == []


def test_an_unknown_symbol_fails_the_asset_check(trader_main, config_file):
    config = config_file(("bonds: [TLT, IEF]", "bonds: [TLT, IEF, GLDX]"))
    result = trader_main("--config", str(config), "doctor")
    assert result.code == 4
    out = " ".join(result.out.split())
    assert "FAIL assets: GLDX: unknown at the broker" in out
    assert "fix: replace or remove those symbols" in out


def test_alpacas_paper_host_gets_alpacas_data_host_and_fails_fast_offline(trader_main, config_file):
    config = str(config_file(("account: sim", "account: paper")))
    started = time.monotonic()
    result = trader_main("--config", config, "doctor", "--json", env=PAPER_ENV)
    assert time.monotonic() - started < 15
    assert result.code == 3, result.err
    found = json.loads(result.out)
    assert found["trading_url"] == "https://paper-api.alpaca.markets"
    assert found["data_url"] == "https://data.alpaca.markets"
    failed = [c for c in found["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["reachable"]
    assert "does not resolve" in failed[0]["detail"] or "unreachable" in failed[0]["detail"]
    assert PAPER_ENV["APCA_API_SECRET_KEY"] not in result.out + result.err


def test_missing_keys_still_show_the_endpoints(trader_main, config_file):
    config = str(config_file(("account: sim", "account: paper")))
    result = trader_main("--config", config, "doctor")
    assert result.code == 2
    out = " ".join(result.out.split())
    assert "Trading URL: https://paper-api.alpaca.markets" in out
    assert "Data URL: https://data.alpaca.markets" in out
    assert "FAIL keys" in out and "fix: export APCA_API_KEY_ID and APCA_API_SECRET_KEY" in out


def test_the_live_host_under_a_paper_account_fails_before_any_request(trader_main, config_file):
    config = str(config_file(("account: sim", "account: paper")))
    env = {**PAPER_ENV, "APCA_API_BASE_URL": "https://api.alpaca.markets"}
    result = trader_main("--config", config, "doctor", "--json", env=env)
    assert result.code == 2
    found = json.loads(result.out)
    assert [c["name"] for c in found["checks"]] == ["endpoints", "database"]
    assert "live host" in found["checks"][0]["detail"]
