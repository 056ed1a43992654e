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
