"""The config loader: strict keys, and every problem named with its file, line and key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from trader.errors import ConfigError
from trader.settings import load_settings

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "portfolio_allocation.yaml"

VALID = """\
account: sim
target_allocation:
  technology: 20
  healthcare: 20
  bonds: 20
  energy: 20
  broad: 20
categories:
  technology: [XLK, VGT]
  healthcare: [XLV]
  bonds: [TLT]
  energy: [XLE, VDE]
  broad: [SPY]
rebalancing:
  drift_threshold: 5
portfolio:
  cash_reserve: 1000
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    message = str(caught.value)
    # One problem a line; the CLI prints "error: " before the first, the rest carry theirs.
    assert all(line.startswith("error: ") for line in message.splitlines()[1:])
    return message


def test_the_shipped_config_loads():
    settings = load_settings(SHIPPED)
    assert settings.account == "sim"
    assert sum(settings.target_allocation.values()) == 100


def test_a_valid_config_keeps_exact_decimals(tmp_path):
    settings = load_settings(
        write(tmp_path, VALID.replace("cash_reserve: 1000", "cash_reserve: 1000.10"))
    )
    assert settings.portfolio.cash_reserve == Decimal("1000.10")
    assert settings.categories["technology"] == ["XLK", "VGT"]


def test_an_empty_file_means_every_default(tmp_path):
    settings = load_settings(write(tmp_path, ""))
    assert settings.account == "sim"
    assert settings.rebalancing.drift_threshold == 5


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("drift_threshold: 5", "drift_treshold: 5"),
            ":15: rebalancing.drift_treshold: unknown key (did you mean drift_threshold?)",
        ),
        (("account: sim", "acount: sim"), ":1: acount: unknown key"),
        (("account: sim", "account: real"), ":1: account: 'real' is not allowed"),
        (
            ("drift_threshold: 5", "drift_threshold: -5"),
            ":15: rebalancing.drift_threshold: input should be greater than 0",
        ),
        (("cash_reserve: 1000", "cash_reserve: lots"), ":17: portfolio.cash_reserve:"),
        (
            ("broad: 20\ncategories", "broad: 25\ncategories"),
            "target_allocation: targets sum to 105, not 100",
        ),
        (
            ("bonds: [TLT]", "bonds: [TLT, XLK]"),
            ":11: categories.bonds[1]: XLK is in both 'technology' and 'bonds'",
        ),
        (
            ("bonds: [TLT]", "bonds: []"),
            ":5: target_allocation.bonds: category 'bonds' has no symbols",
        ),
        (
            ("  broad: [SPY]", "  broad: [spy]"),
            ":13: categories.broad[0]: 'spy' is not a valid name",
        ),
        (("  broad: [SPY]\n", ""), ":7: target_allocation.broad: category 'broad' has no symbols"),
        (
            ("bonds: [TLT]", "bonds: [TLT, BTCUSD]"),
            ":11: categories.bonds[1]: BTCUSD is a crypto pair: trader rebalances US stocks",
        ),
        (
            ("bonds: [TLT]", "bonds: [AAPL270115C00250000]"),
            ":11: categories.bonds[0]: 'AAPL270115C00250000' is not a valid name",
        ),
    ],
)
def test_each_problem_names_the_line_and_the_key(tmp_path, change, expected):
    old, new = change
    assert old in VALID
    message = error_for(tmp_path, VALID.replace(old, new, 1))
    assert expected in message
    assert message.startswith(str(tmp_path / "config.yaml"))


def test_every_problem_is_listed_a_line_each(tmp_path):
    text = VALID.replace("drift_threshold: 5", "drift_treshold: 5").replace(
        "account: sim", "acount: sim"
    )
    message = error_for(tmp_path, text)
    lines = message.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(":1: acount: unknown key (did you mean account?)")
    assert lines[1].startswith(f"error: {tmp_path / 'config.yaml'}:15: rebalancing.drift_treshold")


def test_a_word_yaml_reads_as_a_boolean_is_named(tmp_path):
    message = error_for(tmp_path, VALID.replace("bonds: [TLT]", "bonds: [ON]"))
    assert ":11: categories.bonds[0]:" in message
    assert "(YAML reads ON as true: quote it, 'ON')" in message
    account = error_for(tmp_path, VALID.replace("account: sim", "account: NO"))
    assert ":1: account:" in account and "(YAML reads NO as false: quote it, 'NO')" in account


def test_a_duplicate_key_is_an_error_not_a_silent_override(tmp_path):
    message = error_for(tmp_path, VALID + "account: live\n")
    assert "key 'account' appears twice (first on line 1)" in message
    assert ":18:" in message


def test_broken_yaml_names_the_line(tmp_path):
    message = error_for(tmp_path, "account: sim\ncategories: [XLK\n")
    assert "invalid YAML" in message


def test_a_target_above_the_single_position_cap_is_refused(tmp_path):
    text = VALID + "risk_management:\n  max_single_position: 15\n"
    message = error_for(tmp_path, text)
    assert "target_allocation.technology" in message
    assert "max_single_position" in message


def test_leveraged_targets_above_the_leveraged_cap_are_refused(tmp_path):
    text = VALID + "leverage: {XLK: 3}\nrisk_management:\n  max_leveraged_total: 10\n"
    message = error_for(tmp_path, text)
    assert "risk_management.max_leveraged_total" in message
    assert "20%" in message


def test_a_leverage_multiple_must_be_positive(tmp_path):
    message = error_for(tmp_path, VALID + "leverage: {TQQQ: 0}\n")
    assert "leverage.TQQQ: input should be greater than 0" in message


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_trader_config_environment_variable_is_used(tmp_path, monkeypatch):
    path = write(tmp_path, VALID)
    monkeypatch.setenv("TRADER_CONFIG", str(path))
    assert load_settings().portfolio.cash_reserve == 1000


def test_the_allocation_rules_come_from_the_policy_placed_at_their_keys(tmp_path):
    """The rules relating several keys are written once, in the engine's Policy; the
    loader places what it finds at the config's lines, every problem at once."""
    text = (
        "target_allocation: {growth: 60, lev: 40}\n"
        "categories:\n"
        "  growth: [SPY]\n"
        "  lev: [TQQQ, SPY]\n"
        "leverage: {TQQQ: 3}\n"
        "risk_management:\n"
        "  max_single_position: 60\n"
        "  max_leveraged_total: 50\n"
        "  max_leveraged_exposure: 100\n"
    )
    message = error_for(tmp_path, text)
    assert ":4: categories.lev[1]: SPY is in both 'growth' and 'lev'" in message
    # Once the categories are sound, the caps: the exposure cap only the Policy knows.
    fixed = text.replace("[TQQQ, SPY]", "[TQQQ]")
    message = error_for(tmp_path, fixed)
    assert (
        ":9: risk_management.max_leveraged_exposure: the targets alone give 120% leveraged "
        "exposure (weight times multiple), above this cap of 100%"
    ) in message
