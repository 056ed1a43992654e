"""Defects a new user met trying ``trader``: each test failed before its fix."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from decimal import Decimal

from tests.cli.test_backtest import small_csv


def test_backtest_chart_into_a_missing_folder_is_refused_before_the_replay(
    trader_main, config_file, tmp_path
):
    prices = tmp_path / "small.csv"
    small_csv(prices, days=30)
    chart = tmp_path / "nodir" / "x.png"
    result = trader_main(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--chart", str(chart), "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --chart"), result.err
    assert str(tmp_path / "nodir") in result.err
    assert "CAGR" not in result.out  # refused before any replay


def test_backtest_prices_that_are_not_utf8_give_one_line(trader_main, config_file, tmp_path):
    prices = tmp_path / "latin1.csv"
    prices.write_bytes("date,SPY\n2020-01-02,100\n2020-01-03,101\n# caf\xe9\n".encode("latin-1"))
    result = trader_main(
        "--config", str(config_file()), "backtest", "--prices", str(prices),
        "--start", "2020-01-01",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.strip() == f"error: {prices}: prices file is not UTF-8 text"


def test_a_cash_reserve_above_the_equity_refuses_to_plan(trader_main, tmp_path):
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
    result = trader_main("--config", str(config), "plan", "--no-sync")
    # Equity 500 + 10 x 185 = 2,350, below the 5,000 reserve.
    assert result.code == 2, (result.out, result.err)
    assert result.err.strip() == (
        "error: cash_reserve $5,000.00 is more than the account's equity $2,350.00: "
        "nothing can be invested; lower portfolio.cash_reserve"
    )
    assert "Investable" not in result.out and "within its band" not in result.out
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())


def test_the_execute_preview_fills_its_client_order_id_column(trader_main, config_file):
    config = str(config_file(harvest=False))
    planned = trader_main("--config", config, "plan", "--json")
    assert planned.code == 0, planned.err
    ids = [o["client_order_id"] for o in json.loads(planned.out)["orders"]]
    assert len(ids) == 3
    preview = trader_main("--config", config, "execute", env={"COLUMNS": "200"})
    assert preview.code == 0, preview.err
    assert "Client order id" in preview.out
    for client_id in ids:
        assert client_id in preview.out, preview.out


def test_print_cron_lines_carry_the_environment_and_work_in_a_clean_one(
    trader_main, config_file, tmp_path
):
    home = tmp_path / "cron 100% home"  # a space and a percent sign: quoting and cron's %
    database = tmp_path / "db folder" / "trader.db"
    database.parent.mkdir()
    config = config_file(harvest=False)
    env = {
        "TRADER_HOME": str(home),
        "TRADER_DATABASE_URL": f"sqlite:///{database}",
        "TRADER_CONFIG": str(config),
    }
    result = trader_main("schedule", "--print-cron", "--cron-tz", "America/New_York", env=env)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert not any(line.startswith("CRON_TZ") for line in lines)  # Debian's cron ignores it
    assert any("APCA_API_KEY_ID" in line and line.startswith("#") for line in lines)
    entry = lines[-1]
    assert entry.startswith("35 9 * * 1-5 ")
    assert "\\%" in entry and "100%" not in entry.replace("\\%", "")  # every % escaped
    # What cron runs: the command after the five time fields, with \% back to %.
    command = entry.split(" ", 5)[5].replace("\\%", "%")
    clean = subprocess.run(
        ["env", "-i", f"PATH={os.environ['PATH']}", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert clean.returncode in (0, 20), clean.stdout + clean.stderr  # 20: a plan is staged
    log = home / "run.log"
    assert log.exists(), "the log redirect needs its folder"
    assert "staged with 3 order(s)" in log.read_text(), log.read_text()
    # The configured database and sim state were used, not ./.trader's.
    assert sqlite3.connect(database).execute("select count(*) from plan").fetchone() == (1,)
    assert (home / "sim_state.json").exists()
    assert not (tmp_path / ".trader").exists()


def test_print_cron_never_prints_a_database_password(trader_main, config_file):
    env = {"TRADER_DATABASE_URL": "postgresql://trader:s3cret@127.0.0.1:5432/test"}
    result = trader_main("--config", str(config_file()), "schedule", "--print-cron", env=env)
    assert result.code == 0, result.err
    assert "s3cret" not in result.out
    assert "TRADER_DATABASE_URL" in result.out  # named, for the user to set in cron's environment


CENTS = re.compile(r"^-?\d+\.\d{2}$")
TWO_PLACES = CENTS


def test_json_numbers_are_rounded_as_in_the_plan(trader_main, config_file):
    config = str(config_file(harvest=False))
    synced = trader_main("--config", config, "sync", "--json")
    assert synced.code == 0, synced.err
    payload = json.loads(synced.out)
    for name in ("cash", "equity", "buying_power"):
        assert CENTS.match(payload["account"][name]), payload["account"]
    assert payload["positions"]
    for row in payload["positions"]:
        for name in ("price", "value", "avg_entry_price", "unrealized_pl"):
            assert CENTS.match(row[name]), row
        assert TWO_PLACES.match(row["weight_pct"]), row
        assert len(row["qty"].partition(".")[2]) <= 9, row
    weights = sum(Decimal(r["weight_pct"]) for r in payload["positions"])
    cash_pct = Decimal(payload["account"]["cash"]) / Decimal(payload["account"]["equity"]) * 100
    assert abs(weights + cash_pct - 100) < Decimal("0.05")  # rounded, still adding up

    assert trader_main("--config", config, "plan").code == 0
    history = json.loads(trader_main("--config", config, "history", "--json").out)
    for name in ("sold", "bought", "est_realized_pl"):
        assert CENTS.match(history[0][name]), history[0]


def test_orders_over_the_execution_limits_are_warned_at_plan_time(trader_main, config_file):
    per_order = config_file(("max_order_dollars: 10000", "max_order_dollars: 1000"), harvest=False)
    plan = trader_main("--config", str(per_order), "plan", "--json")
    assert plan.code == 0, plan.err
    warnings = json.loads(plan.out)["warnings"]
    # The seed plan's QQQ buy alone is above $1,000 (execute refuses it the same way).
    assert [w for w in warnings if "max_order_dollars" in w] == [
        "order 2 (buy 2.80482561 QQQ, $1,149.98) is above execution.max_order_dollars "
        "($1,000.00): `trader execute` will refuse the plan"
    ]

    session = config_file(
        ("max_order_dollars: 10000", "max_order_dollars: 2000"),
        ("max_session_dollars: 50000", "max_session_dollars: 2500"),
        harvest=False,
    )
    plan = trader_main("--config", str(session), "plan", "--json")
    warnings = json.loads(plan.out)["warnings"]
    assert not [w for w in warnings if "max_order_dollars" in w]
    assert [w for w in warnings if "max_session_dollars" in w] == [
        "the plan's orders add up to $2,875.49, above execution.max_session_dollars "
        "($2,500.00): `trader execute` will refuse the plan"
    ]


def test_a_backtest_shorter_than_a_year_warns_and_below_a_month_is_not_annualised(
    trader_main, config_file, tmp_path
):
    config = str(config_file())
    short = tmp_path / "short.csv"
    small_csv(short, days=15)  # three weeks of trading days: 2020-01-02 to 2020-01-22
    result = trader_main(
        "--config", config, "backtest", "--prices", str(short), "--json",
        "--start", "2020-01-01", "--workers", "1",
    )  # fmt: skip
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert all(s["cagr_pct"] is None for s in payload["strategies"]), payload["strategies"]
    assert any("shorter than a month" in n for n in payload["notes"]), payload["notes"]
    table = trader_main(
        "--config", config, "backtest", "--prices", str(short), "--start", "2020-01-01",
        "--workers", "1",
    )  # fmt: skip
    assert table.code == 0, table.err
    assert "shorter than a month" in table.out

    months = tmp_path / "months.csv"
    small_csv(months, days=60)  # about three months: annualised, with a warning
    result = trader_main(
        "--config", config, "backtest", "--prices", str(months), "--json",
        "--start", "2020-01-01", "--workers", "1",
    )  # fmt: skip
    payload = json.loads(result.out)
    assert all(isinstance(s["cagr_pct"], float) for s in payload["strategies"])
    assert any("shorter than a year" in n for n in payload["notes"]), payload["notes"]

    year = tmp_path / "year.csv"
    small_csv(year, days=300)
    result = trader_main(
        "--config", config, "backtest", "--prices", str(year), "--json",
        "--start", "2020-01-01", "--workers", "1",
    )  # fmt: skip
    payload = json.loads(result.out)
    assert not any("shorter than" in n for n in payload["notes"]), payload["notes"]
