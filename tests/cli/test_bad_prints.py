"""Spikes in the daily bars fire no trailing stop, neither while the feed sends them nor
after it is clean again; a real fall, confirmed by a second source, still does.

The sim's bars are spiked on the way out (1 in 7 closes of every symbol ×100, the bar's
high with it, so only the neighbours give the close away); the holdings' prices stay
true. The shipped config has a 10% trailing stop.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

BARS = "/v2/stocks/bars"
SNAPSHOTS = "/v2/stocks/snapshots"
PAPER = ("account: sim", "account: paper")


def _spiked(body):
    for bars in body["bars"].values():
        for index, bar in enumerate(bars):
            if index % 7 == 3:
                bar["c"] = round(bar["c"] * 100, 2)
                bar["h"] = max(bar["h"], bar["c"])
    return body


def _plan(trader_main, config, env) -> dict:
    result = trader_main("--config", config, "plan", "--json", env=env)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _stops(plan: dict) -> list[tuple[str, str]]:
    return [(o["side"], o["symbol"]) for o in plan["orders"] if o["kind"] == "trailing_stop"]


def test_spiked_closes_fire_no_stop_now_nor_once_the_feed_is_clean(
    trader_main, config_file, shared_sim, paper_env
):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        server.controls.rewrite_next(BARS, _spiked, count=1000)
        synced = trader_main("--config", config, "sync", env=env)
        assert synced.code == 0, synced.err
        said = " ".join(synced.out.split())
        assert "daily bars: XLK: the close of" in said, said
        assert "was dropped as a bad print: its neighbours are" in said
        spiked = _plan(trader_main, config, env)
        assert _stops(spiked) == [], spiked["orders"]
        assert any("dropped as a bad print" in w for w in spiked["warnings"])
        server.controls.clear_faults()
        clean = _plan(trader_main, config, env)
        assert _stops(clean) == [], clean["orders"]
        assert not any("bad print" in w for w in clean["warnings"])


def test_a_stored_peak_the_clean_bars_do_not_support_is_rebuilt(
    trader_main, config_file, shared_sim, paper_env, tmp_path
):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        _plan(trader_main, config, env)
        # A peak cached yesterday from a bad print (as an older version kept it): SPY ×100.
        database = sqlite3.connect(tmp_path / "home" / "trader.db")
        (peak,) = database.execute("select peak from price_peak where symbol = 'SPY'").fetchone()
        bad = Decimal(str(peak)) * 100
        database.execute(
            "update price_peak set peak = ?, through = date(through, '-1 day') "
            "where symbol = 'SPY'",
            (str(bad),),
        )
        database.commit()
        plan = _plan(trader_main, config, env)
        assert _stops(plan) == [], plan["orders"]
        assert any(
            w.startswith("SPY: the stored peak") and "rebuilt as" in w for w in plan["warnings"]
        ), plan["warnings"]
        (kept,) = database.execute("select peak from price_peak where symbol = 'SPY'").fetchone()
        database.close()
        assert Decimal(str(kept)) == Decimal(str(peak))


def test_a_real_fall_confirmed_by_the_quote_fires_the_stop(
    trader_main, config_file, shared_sim, paper_env
):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        # XLV peaked at 146.75 in the sim's history; 124 is 15.5% lower, above its cost.
        server.controls.set_prices({"XLV": "124.00"})
        server.controls.rewrite_next(BARS, _spiked, count=1000)
        plan = _plan(trader_main, config, env)
        assert _stops(plan) == [("sell", "XLV")], plan["orders"]


def _stale_quote(symbol: str, price: float):
    def edit(body):
        body[symbol]["latestQuote"]["bp"] = price - 0.01
        body[symbol]["latestQuote"]["ap"] = price + 0.01
        return body

    return edit


def test_an_unconfirmed_fall_waits_for_a_second_observation(
    trader_main, config_file, shared_sim, paper_env
):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        server.controls.set_prices({"XLV": "124.00"})
        # A stale quote 2.4% above: too far to confirm the fall (1%), near enough (5%) for
        # the price itself to be trusted.
        server.controls.rewrite_next(SNAPSHOTS, _stale_quote("XLV", 127.0), count=1000)
        first = _plan(trader_main, config, env)
        assert _stops(first) == [], first["orders"]
        (said,) = [w for w in first["warnings"] if "trailing stop was not fired" in w]
        assert said.startswith("XLV: the trailing stop was not fired: its price $124.00")
        assert "no second source" in said
        # The price stays down: this plan's sync and the last one, minutes apart, agree.
        second = _plan(trader_main, config, env)
        assert _stops(second) == [("sell", "XLV")], second["orders"]


def test_doctor_names_the_bad_prints_it_finds(trader_main, config_file, shared_sim, paper_env):
    with shared_sim() as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        clean = trader_main("--config", config, "doctor", "--json", env=env)
        (line,) = [c for c in json.loads(clean.out)["checks"] if c["name"] == "daily bars"]
        assert line["ok"] and line["detail"].startswith("no bad print in the last 60 days")
        server.controls.rewrite_next(BARS, _spiked, count=1000)
        spiked = trader_main("--config", config, "doctor", "--json", env=env)
        (line,) = [c for c in json.loads(spiked.out)["checks"] if c["name"] == "daily bars"]
        assert line["ok"], line
        assert "bad print(s) in the last 60 days, left out of plans" in line["detail"]
        assert "XLK: the close of" in line["detail"]


@pytest.mark.parametrize("scenario", ["default", "margin"])
def test_sim_glitch_spikes_fire_no_stop_on_a_cash_or_a_margin_account(
    trader_main, config_file, shared_sim, paper_env, scenario
):
    # `trader sim glitch SYMBOL --bars-spike 100 --every 7` on every holding with a stop
    # worth firing: 1 in 7 closes ×100 (the close alone, outside its bar), fills true.
    held = ("XLK", "XLV", "SPY", "TQQQ")
    with shared_sim(scenario) as server:
        env = paper_env(server)
        config = str(config_file(PAPER))
        for symbol in held:
            server.controls.glitch(symbol, bars_spike="100", every=7)
        spiked = _plan(trader_main, config, env)
        assert _stops(spiked) == [], spiked["orders"]
        assert not any(o["side"] == "sell" and o["symbol"] in held and o["kind"] == "trailing_stop"
                       for o in spiked["orders"])  # fmt: skip
        assert any("dropped as a bad print" in w for w in spiked["warnings"]), spiked["warnings"]
        server.controls.glitch_off()
        clean = _plan(trader_main, config, env)
        assert _stops(clean) == [], clean["orders"]
        executed = trader_main("--config", config, "execute", "--confirm", env=env)
        assert executed.code in (0, 15, 18), executed.out + executed.err
        sold_on_a_stop = [
            o for o in clean["orders"] if o["kind"] == "trailing_stop" and o["side"] == "sell"
        ]
    assert sold_on_a_stop == []
