"""A withdrawal raised stays set aside, in the review and in ``trader status``, until the
cash leaves the account or the user cancels it: the next plan does not reinvest it."""

from __future__ import annotations

import json
from decimal import Decimal

D = Decimal
WITHDRAWAL = "5000"


def _plan(trader_main, config, *extra: str) -> dict:
    result = trader_main("--config", config, "plan", "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _raise_withdrawal(trader_main, config) -> dict:
    raised = _plan(trader_main, config, "--withdraw", WITHDRAWAL)
    assert raised["orders"], raised
    executed = trader_main("--config", config, "execute", "--confirm")
    assert executed.code == 0, executed.out + executed.err
    return raised


def _bought(plan: dict) -> Decimal:
    return sum((D(o["est_value"]) for o in plan["orders"] if o["side"] == "buy"), D(0))


def test_the_next_plan_keeps_the_withdrawal_until_it_leaves(trader_main, config_file):
    config = str(config_file(harvest=False))
    _raise_withdrawal(trader_main, config)
    after = _plan(trader_main, config)
    # Cash after the sells: $6,152.47, the reserve and the withdrawal $6,000: nothing to buy.
    assert _bought(after) < D(200), after["orders"]
    said = " ".join(after["warnings"])
    assert "$5,000.00 set aside for the withdrawal raised on" in said, said
    assert "--cancel-withdrawal" in said
    assert after["cash_reserve"] == "1000.00"  # the config's reserve; the withdrawal beside it
    assert after["cash_flow"]["withdrawal_set_aside"] == "5000.00"
    status = trader_main("--config", config, "status")
    assert status.code == 0, status.err
    assert "Withdrawal: $5,000.00 set aside" in status.out, status.out

    # The transfer goes out (a CSW activity): the plans stop keeping it.
    assert trader_main("--config", config, "sim", "withdraw", WITHDRAWAL).code == 0
    gone = _plan(trader_main, config)
    said = " ".join(gone["warnings"])
    assert "is no longer kept: it left the account by transfer (CSW)" in said, said
    status = trader_main("--config", config, "status", "--json")
    assert json.loads(status.out)["withdrawal_set_aside"] is None


def test_a_cancelled_withdrawal_is_invested_again(trader_main, config_file):
    config = str(config_file(harvest=False))
    _raise_withdrawal(trader_main, config)
    cancelled = _plan(trader_main, config, "--cancel-withdrawal")
    assert "is cancelled" in " ".join(cancelled["warnings"])
    assert _bought(cancelled) > D(4000), cancelled["orders"]
    status = trader_main("--config", config, "status")
    assert "Withdrawal:" not in status.out
    again = trader_main("--config", config, "plan", "--cancel-withdrawal")
    assert again.code == 2
    assert again.err.strip() == (
        "error: --cancel-withdrawal: no withdrawal is set aside on this account"
    )
