"""Rough edges a new user met: each test failed before its fix."""

from __future__ import annotations

import pytest

from tests.cli.test_backtest import small_csv


@pytest.mark.parametrize("capital", ["-5", "0", "-0"])
def test_capital_is_refused_by_one_rule_whatever_the_number(
    trader_main, config_file, tmp_path, capital
):
    prices = tmp_path / "small.csv"
    small_csv(prices, days=30)
    result = trader_main(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--start", "2020-01-01", f"--capital={capital}",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert result.err.strip() == f"error: --capital: '{capital}' must be more than zero"
