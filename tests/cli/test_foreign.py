"""An account that also holds what ``trader`` does not trade: crypto, an option, an open
multi-leg options order, a crypto fill and a short sale's fill (the sim's ``mixed``
scenario, in the shapes of Alpaca's published examples). Sync, plan and execute go on
with the stock orders, and say what they left alone."""

from __future__ import annotations

import json
import sqlite3

WARNINGS = (
    "BTCUSD: position not managed by trader (asset class crypto)",
    "AAPL270115C00250000: position not managed by trader (asset class us_option)",
    "AAPL270115C00260000+AAPL270115C00270000: order not managed by trader (a mleg order)",
    "BTC/USD: activity not managed by trader (a fill of asset class crypto)",
    "AAPL: activity not managed by trader (a sell_short fill)",
)


def test_a_mixed_account_syncs_plans_and_executes_its_stock_orders(
    trader_main, config_file, tmp_path
):
    config = str(config_file(("scenario: default", "scenario: mixed"), harvest=False))
    synced = trader_main("--config", config, "sync")
    assert synced.code == 0, synced.err
    flat = " ".join(synced.out.split())
    for warning in WARNINGS:
        assert warning in flat
    as_json = json.loads(trader_main("--config", config, "sync", "--json").out)
    assert {(f["kind"], f["symbol"]) for f in as_json["not_managed"]} >= {
        ("position", "BTCUSD"),
        ("order", "AAPL270115C00260000+AAPL270115C00270000"),
    }
    assert "BTCUSD" not in {p["symbol"] for p in as_json["positions"]}

    planned = trader_main("--config", config, "plan", "--json")
    assert planned.code == 0, planned.err
    plan = json.loads(planned.out)
    # The same rebalance as on the seed account: the crypto and the option weigh nothing.
    assert [(o["side"], o["symbol"]) for o in plan["orders"]] == [
        ("sell", "XLK"),
        ("buy", "QQQ"),
        ("buy", "XLF"),
    ]
    assert all(any(w in x for x in plan["warnings"]) for w in WARNINGS)

    executed = trader_main("--config", config, "execute", "--confirm", "--json")
    assert executed.code == 0, executed.err
    assert [o["status"] for o in json.loads(executed.out)["orders"]] == ["filled"] * 3

    with sqlite3.connect(tmp_path / "home" / "trader.db") as db:
        rows = db.execute(
            "SELECT kind, symbol, asset_class, raw_json FROM snapshot_foreign "
            "WHERE snapshot_id = (SELECT max(id) FROM sync_snapshot)"
        ).fetchall()
    assert {(kind, symbol) for kind, symbol, _, _ in rows} == {
        ("position", "BTCUSD"),
        ("position", "AAPL270115C00250000"),
        ("order", "AAPL270115C00260000+AAPL270115C00270000"),
        ("activity", "BTC/USD"),
        ("activity", "AAPL"),
    }
    btc = next(json.loads(raw) for kind, symbol, _, raw in rows if symbol == "BTCUSD")
    assert btc["asset_class"] == "crypto" and btc["qty"] == "0.0125"
