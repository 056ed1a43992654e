"""Defects a new user met trying ``trader``: each test failed before its fix."""

from __future__ import annotations

from tests.cli.test_backtest import small_csv


def test_backtest_chart_into_a_missing_folder_is_refused_before_the_replay(
    run_trader, config_file, tmp_path
):
    prices = tmp_path / "small.csv"
    small_csv(prices, days=30)
    chart = tmp_path / "nodir" / "x.png"
    result = run_trader(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--chart", str(chart), "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --chart"), result.err
    assert str(tmp_path / "nodir") in result.err
    assert "CAGR" not in result.out  # refused before any replay


def test_backtest_prices_that_are_not_utf8_give_one_line(run_trader, config_file, tmp_path):
    prices = tmp_path / "latin1.csv"
    prices.write_bytes("date,SPY\n2020-01-02,100\n2020-01-03,101\n# caf\xe9\n".encode("latin-1"))
    result = run_trader(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.strip() == f"error: {prices}: prices file is not UTF-8 text"
