"""Defects a new user met trying ``trader``: each test failed before its fix."""

from __future__ import annotations

import json

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


def test_a_cash_reserve_above_the_equity_refuses_to_plan(run_trader, tmp_path):
    config = tmp_path / "manual.yaml"
    config.write_text(
        "account: manual\n"
        "target_allocation: {technology: 50, bonds: 50}\n"
        "categories: {technology: [XLK], bonds: [TLT]}\n"
        "risk_management: {max_single_position: 60}\n"
        "portfolio: {cash: 500, cash_reserve: 5000}\n"
        "current_holdings:\n"
        "  XLK: {shares: 10, avg_cost: 150, current_price: 185}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    result = run_trader("--config", str(config), "plan", "--no-sync")
    # Equity 500 + 10 x 185 = 2,350, below the 5,000 reserve.
    assert result.code == 2, (result.out, result.err)
    assert result.err.strip() == (
        "error: cash_reserve $5,000.00 is more than the account's equity $2,350.00: "
        "nothing can be invested; lower portfolio.cash_reserve"
    )
    assert "Investable" not in result.out and "within its band" not in result.out
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())


def test_the_execute_preview_fills_its_client_order_id_column(run_trader, config_file):
    config = str(config_file(harvest=False))
    planned = run_trader("--config", config, "plan", "--json")
    assert planned.code == 0, planned.err
    ids = [o["client_order_id"] for o in json.loads(planned.out)["orders"]]
    assert len(ids) == 3
    preview = run_trader("--config", config, "execute", env={"COLUMNS": "200"})
    assert preview.code == 0, preview.err
    assert "Client order id" in preview.out
    for client_id in ids:
        assert client_id in preview.out, preview.out
