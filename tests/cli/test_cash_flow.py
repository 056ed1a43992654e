"""Cash flows end to end on the local paper broker's seed account: a deposit invested with
buys alone, a withdrawal raised, a deposit plan that waits for its cash, and bad input."""

from __future__ import annotations

import json
from decimal import Decimal

D = Decimal


def plan(trader_main, config, *args):
    result = trader_main("--config", str(config), "plan", "--json", "--no-notify", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_5000_deposit_is_invested_buy_only_within_the_rules(trader_main, config_file):
    config = config_file()
    assert trader_main("--config", str(config), "sim", "deposit", "5000").code == 0
    payload = plan(trader_main, config, "--buy-only")
    assert payload["cash_flow"]["plan"] == "buy_only"
    assert payload["orders"] and all(o["side"] == "buy" for o in payload["orders"])
    # Spent to within min_trade_dollars ($100) beyond the 2.5% buy buffer the buys keep.
    bought = sum(D(o["est_value"]) for o in payload["orders"])
    left = D(payload["cash_after"]) - D(payload["cash_reserve"])
    assert D(0) <= left - bought * D("0.025") < 100
    assert left == D("180.49") and bought == D("7219.49")
    for row in payload["allocation"]:  # every category at least as close to target
        assert abs(D(row["drift_after_pct"])) <= abs(D(row["drift_pct"]))
        assert row["action_after"] == "HOLD"


def test_a_withdrawal_leaves_the_reserve_and_the_amount_in_cash(trader_main, config_file):
    payload = plan(trader_main, config_file(), "--withdraw", "1500")
    assert payload["cash_flow"]["withdrawal"] == "1500.00"
    assert D(payload["cash_after"]) >= D(payload["cash_reserve"]) + 1500
    assert payload["investable"] == "9999.78"  # 12,499.78 less the reserve and the 1,500


def test_a_withdrawal_in_buy_only_mode_sells_only_what_it_needs(trader_main, config_file):
    config = config_file(("cash_flow: prefer ", "cash_flow: buy_only "))
    payload = plan(trader_main, config, "--withdraw", "4000")
    assert payload["cash_flow"]["plan"] == "sell_only"
    assert [(o["side"], o["symbol"]) for o in payload["orders"]] == [
        ("sell", "XLK"),
        ("sell", "XLV"),
        ("sell", "SPY"),
    ]
    assert payload["cash_after"] == "5000.00"  # 3,400 + 1,600 sold: reserve + withdrawal
    assert D(payload["tax"]["long_term_losses"]) < 0  # the review's tax of the withdrawal


def test_a_deposit_plan_waits_for_its_cash(trader_main, config_file):
    config = str(config_file())
    payload = plan(trader_main, config, "--deposit", "5000")
    assert payload["cash_flow"]["waits_for_deposit"] is True
    assert payload["cash"] == "3400.00" and payload["investable"] == "16499.78"
    refused = trader_main("--config", config, "execute", "--confirm", "--no-notify")
    assert refused.code == 22, refused.err
    assert "deposit of $5,000.00 that has not arrived" in refused.err
    assert trader_main("--config", config, "sim", "deposit", "5000").code == 0
    sent = trader_main("--config", config, "execute", "--confirm", "--json", "--no-notify")
    assert sent.code == 0, sent.err
    assert json.loads(sent.out)["status"] == "filled"


def test_bad_cash_flows_are_one_line_errors(trader_main, config_file):
    config = str(config_file())
    for args, message in [
        (("--deposit", "abc"), "not an amount of dollars"),
        (("--deposit", "-5"), "positive amount"),
        (("--withdraw", "10.001"), "in cents"),
        (("--deposit", "10", "--withdraw", "10"), "not both"),
        (("--buy-only", "--withdraw", "10"), "--buy-only sells nothing"),
        (("--withdraw", "99999"), "more than the account can raise"),
    ]:
        result = trader_main("--config", config, "plan", "--no-notify", *args)
        assert result.code == 2, (args, result.err)
        assert message in result.err + result.out, (args, result.err)
        assert "Traceback" not in result.err
