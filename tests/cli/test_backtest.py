"""``trader backtest`` end to end: CSV prices, JSON, the chart, the store's cache, and the
same decision as ``trader plan`` on the same day's portfolio."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pytest

from trader.backtest import PriceHistory, run_backtest
from trader.planning.inputs import policy_from_settings
from trader.settings import load_settings

SYMBOLS = ["XLK", "XLV", "XLF", "XLE", "SPY", "QQQ", "TQQQ", "TLT", "XLU"]
RULES = """\
target_allocation: {technology: 20, healthcare: 15, financials: 15, energy: 10, sp500: 10,
  nasdaq: 10, leveraged_long: 10, bonds: 5, utilities: 5}
categories: {technology: [XLK], healthcare: [XLV], financials: [XLF], energy: [XLE],
  sp500: [SPY], nasdaq: [QQQ], leveraged_long: [TQQQ], bonds: [TLT], utilities: [XLU]}
leverage: {TQQQ: 3}
rebalancing: {method: threshold, drift_threshold: 5, min_trade_dollars: 100,
  max_trades_per_session: 5, fractional_shares: true, cash_flow: full}
risk_management: {max_single_position: 25, max_leveraged_total: 15}
"""


def small_csv(path: Path, days: int = 300, seed: int = 3) -> tuple[list[date], np.ndarray]:
    calendar: list[date] = []
    day = date(2020, 1, 2)
    while len(calendar) < days:
        if day.weekday() < 5:
            calendar.append(day)
        day += timedelta(days=1)
    rng = np.random.default_rng(seed)
    closes = np.round(100 * np.exp(np.cumsum(rng.normal(0.0004, 0.02, (days, 9)), 0)), 2)
    lines = ["date," + ",".join(SYMBOLS)]
    for i, day in enumerate(calendar):
        cells = [f"{c:.2f}" for c in closes[i]]
        if i == 10:
            cells[SYMBOLS.index("XLU")] = ""  # a missing close, to be reported
        lines.append(f"{day}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return calendar, closes


def test_backtest_from_a_csv_prints_json_and_writes_the_chart(trader_main, config_file, tmp_path):
    prices = tmp_path / "small.csv"
    small_csv(prices)
    chart = tmp_path / "out.png"
    config = config_file()
    result = trader_main(
        "--config", str(config), "backtest", "--prices", str(prices), "--json",
        "--chart", str(chart), "--cost-bps", "5", "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    names = [s["strategy"] for s in payload["strategies"]]
    assert names == [
        "buy_hold", "annual", "quarterly", "monthly", "threshold", "relative", "band_edge",
    ]  # fmt: skip
    assert payload["start"] == "2020-01-02" and payload["trading_days"] == 300
    assert payload["data_notes"] == [
        "XLU: 1 missing close (2020-01-16) carried forward from the previous close"
    ]
    notes = " ".join(payload["notes"])
    assert "past results are no guarantee" in notes and "5 bp" in notes
    assert "tax-loss harvesting, trailing stops and scores are off" in notes
    by_name = {s["strategy"]: s for s in payload["strategies"]}
    assert by_name["buy_hold"]["rebalances"] == 0
    assert by_name["monthly"]["rebalances"] == 13  # 300 weekdays: 2020-01-02 to 2021-02-24
    for row in payload["strategies"]:
        assert row["max_drawdown_pct"] <= 0 and D(row["total_costs"]) > 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    table = trader_main(
        "--config", str(config), "backtest", "--prices", str(prices),
        "--strategies", "buy_hold,threshold",
    )  # fmt: skip
    assert table.code == 0, table.err
    assert "threshold" in table.out and "past results are no guarantee" in table.out
    assert "monthly" not in table.out


def test_bad_options_are_one_line_errors(trader_main, config_file, tmp_path):
    config = config_file()
    wrong = trader_main("--config", str(config), "backtest", "--strategies", "weekly")
    assert wrong.code == 2 and "unknown strategy weekly" in wrong.err
    prices = tmp_path / "long.csv"
    prices.write_text("date,symbol,close\n2020-01-02,XLK,abc\n")
    bad = trader_main("--config", str(config), "backtest", "--prices", str(prices))
    assert bad.code == 2 and "long.csv:2: XLK close 'abc' is not a number" in bad.err


def test_the_backtest_decides_as_trader_plan_on_the_same_day(trader_main, tmp_path):
    """Take a day the backtest rebalanced, give `trader plan` that day's account as a manual
    account, and compare the orders: the same engine rule must decide the same way (the
    backtest's rebalances are full ones: `cash_flow: full` for the plan too)."""
    config = tmp_path / "rules.yaml"
    config.write_text(RULES + "portfolio: {cash_reserve: 1000}\n")
    calendar, closes = small_csv(tmp_path / "p.csv", seed=5)
    policy = policy_from_settings(load_settings(config))
    history = PriceHistory(tuple(calendar), tuple(SYMBOLS), closes)
    (run,) = run_backtest(policy, history, ["threshold"], capital=D(100000)).runs
    decision = run.rebalances[0]
    holdings = "".join(
        f'  {symbol}: {{shares: "{qty}", avg_cost: "{price}", current_price: "{price}"}}\n'
        for symbol, qty, price in decision.holdings_before
    )
    manual = tmp_path / "manual.yaml"
    manual.write_text(
        "account: manual\n"
        + RULES
        + f'portfolio: {{cash: "{decision.cash_before}", cash_reserve: 1000}}\n'
        + f"current_holdings:\n{holdings}"
        + f"reports_dir: {tmp_path / 'reports'}\n"
    )
    result = trader_main("--config", str(manual), "plan", "--no-sync", "--json")
    assert result.code == 0, result.err
    planned = [(o["symbol"], o["side"], D(o["qty"])) for o in json.loads(result.out)["orders"]]
    assert planned == [(s, side.value, qty) for s, side, qty in decision.orders]
    assert len(planned) >= 2


def test_a_second_run_reads_the_sim_history_from_the_store(trader_main, config_file):
    config = config_file()
    args = ("--config", str(config), "backtest", "--start", "2024-01-01", "--end", "2024-12-31")
    first = trader_main(*args, "--json", "--strategies", "quarterly")
    assert first.code == 0, first.err
    source = json.loads(first.out)["source"]
    assert "simulated history" in source and "in 1 request(s), 0 from the store's cache" in source
    second = trader_main(*args, "--json", "--strategies", "quarterly")
    assert second.code == 0, second.err
    again = json.loads(second.out)
    assert "0 closes downloaded in 0 request(s)" in again["source"]
    assert again["strategies"] == json.loads(first.out)["strategies"]


def test_prices_that_compound_past_exact_decimals_are_a_one_line_error(trader_main, tmp_path):
    # Two funds trading places between $10 and $100 every day: a daily 50/50 rebalance
    # multiplies the account about five times a day, past 28 significant digits in weeks.
    # Both climb 10% every two days, so no close returns within 5% of the one two days
    # before (that would be a jump that reverts: a bad print, dropped).
    config = tmp_path / "two.yaml"
    config.write_text(
        "target_allocation: {one: 50, two: 50}\n"
        "categories: {one: [XLK], two: [XLV]}\n"
        "rebalancing: {method: threshold, drift_threshold: 5, min_trade_dollars: 0,\n"
        "  fractional_shares: true}\n"
        "risk_management: {max_single_position: 100, max_leveraged_total: 0}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    prices = tmp_path / "wild.csv"
    rows = ["date,XLK,XLV"]
    day = date(2020, 1, 2)
    for i in range(120):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        growth = D("1.1") ** (i // 2)
        low, high = (10 * growth).quantize(D("0.01")), (100 * growth).quantize(D("0.01"))
        rows.append(f"{day},{low if i % 2 else high},{high if i % 2 else low}")
        day += timedelta(days=1)
    prices.write_text("\n".join(rows) + "\n")
    result = trader_main(
        "--config", str(config), "backtest", "--prices", str(prices), "--strategies", "threshold"
    )
    assert result.code == 2, result.err
    assert "grew past 28 significant digits" in result.err
    assert "Traceback" not in result.err


def test_the_chart_labels_dollars_and_names_simulated_prices(tmp_path):
    import matplotlib.pyplot as plt

    from trader.cli.backtest_view import chart_figure

    config = tmp_path / "rules.yaml"
    config.write_text(RULES)
    calendar, closes = small_csv(tmp_path / "p.csv", seed=5)
    policy = policy_from_settings(load_settings(config))
    history = PriceHistory(tuple(calendar), tuple(SYMBOLS), closes)
    backtest = run_backtest(policy, history, ["buy_hold", "annual"], capital=D(100000))
    for simulated in (True, False):
        figure = chart_figure(backtest, simulated=simulated)
        try:
            figure.canvas.draw()
            (axes,) = figure.axes
            labels = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
            # Within a decade: several round dollar figures, not only "10^5".
            assert len(labels) >= 3, labels
            assert all(
                label.startswith("$") and label[1:].replace(",", "").isdigit() for label in labels
            )
            assert ("simulated prices" in axes.get_title()) is simulated
        finally:
            plt.close(figure)


def test_progress_shows_on_a_terminal_only():
    from io import StringIO

    from rich.console import Console

    from trader.cli.formatting import working

    for terminal, quiet, shown in ((True, False, True), (False, False, False), (True, True, False)):
        out = StringIO()
        console = Console(file=out, force_terminal=terminal, width=80)
        with working(console, "Replaying 7 strategies…", quiet=quiet):
            console.file.flush()
        assert ("Replaying 7 strategies" in out.getvalue()) is shown


def test_a_split_after_the_closes_were_cached_makes_the_backtest_read_them_again(
    trader_main, config_file, tmp_path
):
    """QQQ is not held, so no SPLIT activity tells of its split: the backtest asks the
    market data's corporate actions which cached symbols changed since they were read."""
    import sqlite3

    config = str(config_file())
    args = ("--config", config, "backtest", "--start", "2026-06-01", "--end", "2026-11-20")
    first = trader_main(*args, "--json", "--strategies", "quarterly")
    assert first.code == 0, first.err

    def qqq_close() -> D:
        database = sqlite3.connect(tmp_path / "home" / "trader.db")
        try:
            (value,) = database.execute(
                "select close from daily_close where symbol = 'QQQ' and day = '2026-11-20'"
            ).fetchone()
        finally:
            database.close()
        return D(str(value))

    before = qqq_close()
    assert trader_main("--config", config, "sim", "clock", "--days", "1").code == 0
    assert trader_main("--config", config, "sim", "split", "QQQ", "2:1").code == 0
    second = trader_main(*args, "--json", "--strategies", "quarterly")
    assert second.code == 0, second.err
    source = json.loads(second.out)["source"]
    # Only QQQ is read again (one request), the other symbols come from the cache.
    assert "in 1 request(s)" in source and "0 from the store's cache" not in source
    assert qqq_close() == (before / 2).quantize(D("0.01"))
    third = trader_main(*args, "--json", "--strategies", "quarterly")
    assert "0 closes downloaded in 0 request(s)" in json.loads(third.out)["source"]


@pytest.mark.parametrize(("name", "magic"), [("out.svg", b"<?xml"), ("OUT.PDF", b"%PDF")])
def test_the_chart_format_follows_the_extension(trader_main, config_file, tmp_path, name, magic):
    prices = tmp_path / "small.csv"
    small_csv(prices, days=30)
    chart = tmp_path / name
    result = trader_main(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--chart", str(chart), "--start", "2020-01-01", "--strategies", "buy_hold",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert chart.read_bytes()[: len(magic)] == magic


@pytest.mark.parametrize("name", ["x.txt", "x", "x.jpg"])
def test_a_chart_file_of_another_kind_is_refused_before_the_replay(
    trader_main, config_file, tmp_path, name
):
    prices = tmp_path / "small.csv"
    small_csv(prices, days=30)
    chart = tmp_path / name
    result = trader_main(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--chart", str(chart), "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --chart {chart}"), result.err
    assert ".png, .svg or .pdf" in lines[0]
    assert not chart.exists() and "CAGR" not in result.out
