"""Holdings listed under ``unmanaged`` are left out of the investable value and never
traded; a holding in no category and not listed counts in the value, untraded, and the
review says so."""

from __future__ import annotations

import json
from decimal import Decimal

D = Decimal
NO_XLK = ("technology: [XLK, VGT]", "technology: [VGT]")
XLK_VALUE = D("3200.50")  # the seed account's 17.3 XLK at 185.00


def _plan(trader_main, config) -> dict:
    result = trader_main("--config", config, "plan", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_an_unmanaged_holding_is_left_out_of_the_base_and_said(trader_main, config_file):
    counted = _plan(trader_main, str(config_file(NO_XLK, harvest=False)))
    listed = str(config_file(NO_XLK, extra="unmanaged: [XLK]\n", harvest=False))
    left_out = _plan(trader_main, listed)
    assert D(left_out["equity"]) == D(counted["equity"]) - XLK_VALUE
    assert D(left_out["investable"]) == D(counted["investable"]) - XLK_VALUE
    assert not any(o["symbol"] == "XLK" for o in left_out["orders"]), left_out["orders"]
    said = " ".join(left_out["warnings"])
    assert "left out of the plan (unmanaged): XLK $3,200.50" in said, said
    assert "in no category" not in said


def test_a_holding_in_no_category_is_said_to_count_in_the_base(trader_main, config_file):
    plan = _plan(trader_main, str(config_file(NO_XLK, harvest=False)))
    said = " ".join(plan["warnings"])
    assert "XLK is held but in no category" in said
    assert "counts in the investable value" in said and "unmanaged" in said, said
    assert not any(o["symbol"] == "XLK" for o in plan["orders"])


def test_an_unmanaged_symbol_in_a_category_is_a_config_error(trader_main, config_file):
    config = str(config_file(extra="unmanaged: [XLK]\n", harvest=False))
    result = trader_main("--config", config, "plan")
    assert result.code == 2, result.err
    assert "unmanaged" in result.err and "XLK" in result.err and "technology" in result.err
