"""What the plan's review says when it cannot do what the config asks, and why."""

from __future__ import annotations

import json


def test_a_ticker_typo_is_named_as_an_unknown_symbol(trader_main, config_file):
    config = str(config_file(("utilities: [XLU]", "utilities: [FOOBAR]"), harvest=False))
    result = trader_main("--config", config, "plan", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    said = plan["warnings"] + [s["reason"] for s in plan["skipped"]]
    assert any("unknown symbol FOOBAR" in line for line in said), said
    assert not any("no price for any symbol" in line for line in said), said
    assert not any("score for FOOBAR" in line for line in said), said


def test_a_full_rebalance_says_why_cash_above_the_reserve_stays_uninvested(
    trader_main, config_file
):
    # The seed plan: XLK sold, QQQ and XLF bought, and $1,325.60 above the reserve left:
    # utilities sits 5 points below its target, on its band's edge, so it is not bought.
    config = str(config_file(harvest=False))
    result = trader_main("--config", config, "plan", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert plan["cash_flow"]["plan"] == "full"
    (note,) = [n for n in plan["cash_flow"]["notes"] if "stays uninvested" in n]
    assert note.startswith("$1,325.60 of the cash above the reserve stays uninvested"), note
    assert "utilities" in note and "within their bands" in note, note
    assert "--buy-only" in note
