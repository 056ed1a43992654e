"""Configs a fault campaign mutated: each is one ``ConfigError`` line naming the file,
never a traceback, a minute of work, or a safety switch turned on by a string."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trader.errors import ConfigError
from trader.settings import load_settings

from .test_loader import VALID


def error_for(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "config.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def test_a_recursive_alias_is_refused(tmp_path):
    message = error_for(tmp_path, VALID + "leverage: &loop {SPY: *loop}\n")
    assert "alias" in message or "recursive" in message


def test_a_nul_byte_is_refused(tmp_path):
    message = error_for(tmp_path, VALID.encode() + b"reports_dir: a\x00b\n")
    assert "invalid YAML" in message


def test_a_nul_character_written_as_an_escape_is_refused(tmp_path):
    message = error_for(tmp_path, VALID + 'reports_dir: "logs\\0x"\n')
    assert "NUL" in message


def test_a_five_thousand_digit_integer_is_refused(tmp_path):
    message = error_for(tmp_path, VALID + "scores_max_age_days: " + "9" * 5000 + "\n")
    assert ":18: invalid YAML: a number of 5000 characters" in message
    assert "9" * 100 not in message


def test_an_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    started = time.monotonic()
    message = error_for(tmp_path, VALID + "\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert "alias" in message


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("allow_live_trading: 'yes'", "allow_live_trading"),
        ("allow_live_trading: 'true'", "allow_live_trading"),
        ("auto_execute: 1", "auto_execute"),
        ("telegram: {allow_live_approval: 'true'}", "telegram.allow_live_approval"),
        ("rebalancing: {max_trades_per_session: true}", "rebalancing.max_trades_per_session"),
        ("rebalancing: {max_trades_per_session: '5'}", "rebalancing.max_trades_per_session"),
        ("rebalancing: {max_trades_per_session: 5.0}", "rebalancing.max_trades_per_session"),
        ("execution: {plan_ttl_minutes: true}", "execution.plan_ttl_minutes"),
        ("broker: {max_retries: '3'}", "broker.max_retries"),
    ],
)
def test_safety_switches_take_booleans_and_counts_take_integers(tmp_path, line, key):
    text = VALID.replace("rebalancing:\n  drift_threshold: 5\n", "") + line + "\n"
    message = error_for(tmp_path, text)
    assert key in message


def test_real_booleans_and_integers_still_load(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        VALID.replace("rebalancing:\n  drift_threshold: 5\n", "")
        + "allow_live_trading: false\nauto_execute: true\n"
        + "rebalancing: {max_trades_per_session: 7}\n"
    )
    settings = load_settings(path)
    assert settings.auto_execute is True
    assert settings.rebalancing.max_trades_per_session == 7


def test_an_unknown_sim_scenario_names_the_known_ones(tmp_path):
    message = error_for(tmp_path, VALID + "sim: {scenario: defualt}\n")
    assert "sim.scenario" in message and "defualt" in message and "default" in message


def test_doctor_names_an_unknown_scenario_in_one_line(trader_main, config_file):
    config = config_file(("scenario: default", "scenario: defualt"))
    result = trader_main("--config", str(config), "doctor")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert "sim.scenario: unknown scenario 'defualt' (did you mean default?)" in result.err


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("categories: {énergie: [XLE]}", "ASCII characters: lower-case letters a-z"),
        ("categories: {Energy: [XLE]}", "ASCII characters: lower-case letters a-z"),
        ("categories: {energy: [xle]}", "ASCII characters: upper-case letters A-Z"),
    ],
)
def test_a_bad_name_says_what_the_rule_is(tmp_path, line, rule):
    text = VALID.replace("categories:\n", "categories_unused:\n", 1)
    message = error_for(tmp_path, text.split("categories_unused:")[0] + line + "\n")
    assert rule in message
    assert "lower_case" not in message


def test_a_config_path_with_a_nul_character_is_one_line():
    with pytest.raises(ConfigError, match="path has no NUL character"):
        load_settings(Path("config/port\x00folio.yaml"))
