"""After a trailing stop sells a symbol, the plans do not buy it back for
``risk_management.stop_reentry_days``: its category buys its other symbols, else keeps
the cash, and the plan says so."""

from __future__ import annotations

import json

NO_SCORES = ("prefer_etfs_with_score_above: 70", "prefer_etfs_with_score_above: null")
# A 5% stop: XLV's peak close is 146.75 in the sim's history, so 139 (5.3% lower) fires it,
# above every lot's cost (at most 138.76): a sale at a gain, which no wash-sale rule blocks.
STOP = ("trailing_stop: 10 ", "trailing_stop: 5 ")


def _plan(trader_main, config) -> dict:
    result = trader_main("--config", config, "plan", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _stop_xlv(trader_main, config) -> None:
    assert trader_main("--config", config, "sim", "price", "XLV", "139.00").code == 0
    stopped = _plan(trader_main, config)
    assert ("sell", "XLV", "trailing_stop") in {
        (o["side"], o["symbol"], o["kind"]) for o in stopped["orders"]
    }
    executed = trader_main("--config", config, "execute", "--confirm")
    assert executed.code == 0, executed.out + executed.err


def test_the_category_buys_its_other_symbol_while_the_stopped_one_waits(trader_main, config_file):
    config = str(config_file(NO_SCORES, STOP, harvest=False))
    _stop_xlv(trader_main, config)
    after = _plan(trader_main, config)
    bought = {o["symbol"] for o in after["orders"] if o["side"] == "buy"}
    assert "XLV" not in bought and "VHT" in bought, after["orders"]
    said = " ".join(after["warnings"])
    assert "XLV: sold by its trailing stop on 2026-11-24" in said, said
    assert "not bought again before 2026-12-24 (risk_management.stop_reentry_days: 30)" in said
    assert "'healthcare' buys VHT instead" in said


def test_a_category_with_no_other_symbol_keeps_the_cash(trader_main, config_file):
    config = str(
        config_file(NO_SCORES, STOP, ("healthcare: [XLV, VHT]", "healthcare: [XLV]"), harvest=False)
    )
    _stop_xlv(trader_main, config)
    after = _plan(trader_main, config)
    assert "XLV" not in {o["symbol"] for o in after["orders"]}, after["orders"]
    said = " ".join(after["warnings"])
    assert "'healthcare' keeps its share in cash until then" in said, said


def test_no_reentry_wait_when_the_setting_is_zero(trader_main, config_file):
    config = str(
        config_file(
            NO_SCORES,
            STOP,
            ("stop_reentry_days: 30 ", "stop_reentry_days: 0 "),
            harvest=False,
        )
    )
    _stop_xlv(trader_main, config)
    after = _plan(trader_main, config)
    assert "XLV" in {o["symbol"] for o in after["orders"] if o["side"] == "buy"}
