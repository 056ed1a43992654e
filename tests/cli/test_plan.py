"""``trader plan`` end to end through the CLI, against the local paper broker over HTTP."""

from __future__ import annotations

import json
import re
import sqlite3
from decimal import Decimal

import pytest

D = Decimal
PLAN_KEYS = {
    "plan_id",
    "created_at",
    "account",
    "method",
    "due",
    "equity",
    "cash",
    "cash_after",
    "allocation",
    "orders",
    "skipped",
    "warnings",
}
ORDER_KEYS = {
    "symbol",
    "side",
    "qty",
    "notional",
    "est_price",
    "est_value",
    "category",
    "reason",
    "client_order_id",
}
ALLOCATION_KEYS = {"category", "target_pct", "current_pct", "drift_pct", "action"}
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def plan_json(trader_main, config, *args, env=None):
    result = trader_main("--config", str(config), "plan", "--json", *args, env=env)
    assert result.code == 0, result.err
    return json.loads(result.out)


def after_trades(payload):
    """Category weights after every order fills at its estimated price (percent of investable)."""
    values = {row["category"]: D(row["current_value"]) for row in payload["allocation"]}
    for order in payload["orders"]:
        sign = 1 if order["side"] == "buy" else -1
        values[order["category"]] += sign * D(order["qty"]) * D(order["est_price"])
    investable = D(payload["investable"])
    return {category: value / investable * 100 for category, value in values.items()}


def test_plan_on_the_default_sim_prints_the_review_and_stages_it(
    trader_main, config_file, tmp_path
):
    result = trader_main("--config", str(config_file()), "plan")
    assert result.code == 0, result.err
    out = result.out
    # The seed account: technology 3,200.50 of 11,499.78 investable = 27.83%, +7.83 points.
    assert re.search(r"technology\s+│\s+20\.00%\s+│\s+27\.83%\s+│\s+\+7\.83%", out)
    assert re.search(
        r"utilities\s+│\s+5\.00%\s+│\s+0\.00%\s+│\s+-5\.00%\s+│\s+±5\.00%\s+│\s+HOLD", out
    )
    assert out.index("SELL") < out.index("BUY  ") or out.index("SELL") < out.rindex("BUY")
    assert "SELL XLK: technology at 27.83%" in out
    assert "BUY QQQ: nasdaq at 0.00%" in out
    # With the two trade slots the rebalance leaves: the brief's harvest, XLE into VDE.
    assert "SELL XLE: tax-loss harvest: sells XLE's oldest lots at a loss of $956.57" in out
    assert "BUY VDE: tax-loss harvest: replaces XLE" in out
    assert "harvesting realizes -$956.57" in out and "not tax advice" in out
    assert "SPY could be harvested into VOO, but max_trades_per_session" in out
    assert "Nothing has been sent to the broker." in out
    staged = re.search(r"Staged plan ([0-9a-f]{32}) with 5 order\(s\)", out)
    assert staged, out
    reports = list((tmp_path / "paper_logs").glob("plan-*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text())
    assert report["plan_id"] == staged.group(1)
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    rows = database.execute("select uid, status from plan").fetchall()
    assert rows == [(staged.group(1), "staged")]
    orders = database.execute(
        "select seq, symbol, side, qty, client_order_id from plan_order order by seq"
    ).fetchall()
    assert [(o[1], o[2]) for o in orders] == [
        ("XLK", "sell"),
        ("XLE", "sell"),
        ("QQQ", "buy"),
        ("XLF", "buy"),
        ("VDE", "buy"),
    ]
    assert [o[4] for o in orders] == [o["client_order_id"] for o in report["orders"]]
    assert [o[3] for o in orders] == [o["qty"] for o in report["orders"]]


def test_plan_json_has_the_documented_shape_and_fixes_every_band(trader_main, config_file):
    payload = plan_json(trader_main, config_file())
    assert set(payload) >= PLAN_KEYS
    assert payload["account"] == "sim" and payload["method"] == "threshold"
    assert payload["due"] is True
    assert payload["equity"] == "12499.78" and payload["cash"] == "3400.00"
    for row in payload["allocation"]:
        assert set(row) >= ALLOCATION_KEYS
        for key in ("target_pct", "current_pct", "drift_pct"):
            assert DECIMAL.match(row[key]), row
    technology = next(r for r in payload["allocation"] if r["category"] == "technology")
    assert technology == {
        **technology,
        "current_pct": "27.83",
        "drift_pct": "7.83",
        "action": "SELL",
    }
    assert [(o["side"], o["symbol"], o["kind"]) for o in payload["orders"]] == [
        ("sell", "XLK", "rebalance"),
        ("sell", "XLE", "harvest"),
        ("buy", "QQQ", "rebalance"),
        ("buy", "XLF", "rebalance"),
        ("buy", "VDE", "harvest"),
    ]
    # The whole XLE position (12.9 shares, every lot at a loss) buys the same value of VDE.
    xle, vde = payload["orders"][1], payload["orders"][4]
    assert (xle["qty"], xle["est_value"], xle["est_realized_pl"]) == ("12.9", "799.80", "-956.57")
    assert (vde["qty"], vde["est_value"]) == ("6.665", "799.80")
    tax = payload["tax"]
    assert tax["harvested_loss"] == "-956.57" and tax["lots_known"] is True
    assert D(tax["short_term_losses"]) + D(tax["long_term_losses"]) == D("-1206.69")
    for order in payload["orders"]:
        assert set(order) >= ORDER_KEYS
        assert order["notional"] is None
        assert DECIMAL.match(order["qty"]) and DECIMAL.match(order["est_value"])
        assert order["client_order_id"].startswith(f"trader-{payload['plan_id']}-")
    assert len({o["client_order_id"] for o in payload["orders"]}) == 5
    # After the orders, every category is within its band and the reserve is kept.
    bands = {row["category"]: D(row["band_pct"]) for row in payload["allocation"]}
    targets = {row["category"]: D(row["target_pct"]) for row in payload["allocation"]}
    for category, weight in after_trades(payload).items():
        assert abs(weight - targets[category]) <= bands[category], category
    assert D(payload["cash_after"]) >= D(payload["cash_reserve"]) == D(1000)
    assert all(D(o["est_value"]) >= 100 for o in payload["orders"])


def test_a_new_plan_supersedes_the_staged_one(trader_main, config_file, tmp_path):
    config = config_file()
    first = plan_json(trader_main, config)
    second = plan_json(trader_main, config, "--no-sync")
    assert first["plan_id"] != second["plan_id"]
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    statuses = dict(database.execute("select uid, status from plan").fetchall())
    assert statuses == {first["plan_id"]: "superseded", second["plan_id"]: "staged"}
    # --no-sync planned from the stored sync: no second snapshot was taken.
    assert database.execute("select count(*) from sync_snapshot").fetchone() == (1,)


def test_a_plan_that_is_not_due_says_so_and_stages_nothing(trader_main, config_file, tmp_path):
    config = config_file(("drift_threshold: 5", "drift_threshold: 20"), harvest=False)
    result = trader_main("--config", str(config), "plan")
    assert result.code == 0, result.err
    assert "No rebalance is due" in result.out
    assert "Nothing staged." in result.out
    payload = plan_json(trader_main, config)
    assert payload["due"] is False and payload["plan_id"] is None and payload["orders"] == []
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    assert database.execute("select count(*) from plan").fetchone() == (0,)
    # A plan with no orders leaves no report, unless asked for one.
    assert list((tmp_path / "paper_logs").glob("plan-*.json")) == []
    asked = trader_main("--config", str(config), "plan", "--report")
    assert asked.code == 0, asked.err
    (report,) = (tmp_path / "paper_logs").glob("plan-*.json")
    assert f"Report: {report}" in asked.out.replace("\n", "")
    assert json.loads(report.read_text())["orders"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("technology: 20", "technology: 25"), "targets sum to 105, not 100"),
        (("bonds: [TLT, IEF]", "bonds: [TLT, XLK]"), "XLK is in both 'technology' and 'bonds'"),
        (("max_leveraged_total: 15", "max_leveraged_total: 5"), "above this cap of 5%"),
        (("min_trade_dollars: 100", "min_trade_dollars: -5"), "min_trade_dollars"),
        (("TQQQ: 3", "TQQQ: 0"), "leverage.TQQQ"),
    ],
)
def test_config_problems_stop_the_plan_before_the_broker(
    trader_main, config_file, tmp_path, change, message
):
    result = trader_main("--config", str(config_file(change)), "plan")
    assert result.code == 2
    assert message in result.err
    assert result.err.startswith("error: ") and result.err.strip().count("\n") == 0
    assert not (tmp_path / "home" / "sim_state.json").exists()  # the sim never started


def test_no_sync_needs_a_stored_sync(trader_main, config_file):
    result = trader_main("--config", str(config_file()), "plan", "--no-sync")
    assert result.code == 2
    assert "run `trader sync` first" in result.err


def test_a_manual_account_is_planned_without_a_broker(trader_main, tmp_path):
    config = tmp_path / "manual.yaml"
    config.write_text(
        "account: manual\n"
        "target_allocation: {technology: 50, bonds: 50}\n"
        "categories: {technology: [XLK], bonds: [TLT]}\n"
        "risk_management: {max_single_position: 60}\n"
        "portfolio: {cash: 500, cash_reserve: 100}\n"
        "current_holdings:\n"
        "  XLK: {shares: 10, avg_cost: 150, current_price: 185}\n"
        "  TLT: {shares: 5, avg_cost: 100, current_price: 95}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    payload = plan_json(trader_main, config, "--no-sync")
    # Equity 500 + 1,850 + 475 = 2,825; investable 2,725; each side's target 1,362.50.
    # TLT buys 887.50 to its target. Selling XLK's 487.50 excess would leave exactly the
    # reserve, and buy_buffer_pct keeps 2.5% of the buy (22.19) in hand as well: XLK sells
    # 22.19 more (as close to the targets as buying 22.19 less TLT would be).
    assert payload["account"] == "manual" and payload["equity"] == "2825.00"
    assert [(o["side"], o["symbol"], o["est_value"]) for o in payload["orders"]] == [
        ("sell", "XLK", "509.69"),
        ("buy", "TLT", "887.50"),
    ]
    # XLK: 509.69 sold at 185 on a cost of 150 a share: 35 x 2.755081081 = 96.43.
    assert payload["orders"][0]["est_realized_pl"] == "96.43"
    assert D(payload["cash_after"]) == D("122.19")
    assert not (tmp_path / "home" / "sim_state.json").exists()
    review = trader_main("--config", str(config), "plan")
    assert review.code == 0, review.err
    assert "never executed" in review.out


def test_an_unwritable_reports_folder_stages_nothing(trader_main, config_file, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    config = config_file(extra=f"\nreports_dir: {blocker / 'paper_logs'}\n")
    result = trader_main("--config", str(config), "plan")
    assert result.code == 2
    assert "reports_dir" in result.err
    database = tmp_path / "home" / "trader.db"
    if database.exists():
        assert sqlite3.connect(database).execute("select count(*) from plan").fetchone() == (0,)


def test_plan_against_any_alpaca_compatible_url_keeps_secrets_out(
    trader_main, config_file, tmp_path, shared_sim
):
    secret = "s3cr3t-" + "y" * 24
    with shared_sim(key_id="PKPLANTEST", secret_key=secret) as server:
        env = {
            "APCA_API_BASE_URL": server.url,
            "APCA_API_KEY_ID": "PKPLANTEST",
            "APCA_API_SECRET_KEY": secret,
        }
        config = config_file(("account: sim", "account: paper"))
        result = trader_main("--config", str(config), "plan", env=env)
        payload = plan_json(trader_main, config, env=env)
        paths = {r["path"] for r in server.controls.requests()}
    assert result.code == 0, result.err
    assert "Account: paper" in result.out
    assert payload["account"] == "paper" and len(payload["orders"]) == 5
    assert "/v2/stocks/trades/latest" in paths  # the symbols not held were priced
    assert not any(r.startswith("/v2/orders") and r != "/v2/orders" for r in paths)
    for path in [*(tmp_path / "home").rglob("*"), *(tmp_path / "paper_logs").rglob("*")]:
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert secret not in result.out + result.err


def test_plan_never_sends_an_order(trader_main, config_file, shared_sim, paper_env):
    with shared_sim() as server:
        env = paper_env(server)
        config = config_file(("account: sim", "account: paper"))
        assert trader_main("--config", str(config), "plan", env=env).code == 0
        methods = {(r["method"], r["path"]) for r in server.controls.requests()}
    assert not any(method != "GET" for method, _ in methods), methods


def test_the_allocation_table_sums_to_the_investable_value(trader_main, config_file):
    import re

    def currents(out: str) -> dict[str, D]:
        rows = re.findall(r"^│ (\S[^│]*?)\s+│[^│]*│\s+(-?[\d.]+)%", out, flags=re.MULTILINE)
        return {name.strip(): D(value) for name, value in rows}

    review = trader_main("--config", str(config_file()), "plan", env={"COLUMNS": "160"})
    assert review.code == 0, review.err
    rows = currents(review.out)
    # 11,499.78 investable: 2,400 of cash above the 1,000 reserve is 20.87%.
    assert rows["cash above the reserve"] == D("20.87")
    assert abs(sum(rows.values()) - 100) <= D("0.05")
    assert "Investable $11,499.78 = equity $12,499.78 less the cash reserve $1,000.00" in (
        review.out
    )
    # TLT in no category: its 400 (3.48%) is shown on its own row.
    orphan = config_file(("bonds: [TLT, IEF]", "bonds: [IEF]"))
    rows = currents(trader_main("--config", str(orphan), "plan", env={"COLUMNS": "160"}).out)
    assert rows["(in no category)"] == D("3.48")
    assert abs(sum(rows.values()) - 100) <= D("0.05")


def test_idle_cash_beyond_a_band_is_warned_when_no_rebalance_is_due(trader_main, config_file):
    # 2,400 above the reserve is 20.87% of 11,499.78: more than a 20-point band, and with
    # such wide bands nothing is due to buy with it.
    wide = config_file(("drift_threshold: 5 ", "drift_threshold: 20 "), harvest=False)
    plan = json.loads(trader_main("--config", str(wide), "plan", "--json").out)
    assert plan["due"] is False
    (idle,) = [w for w in plan["warnings"] if "sits idle" in w]
    assert idle.startswith("$2,400.00 of cash above the reserve (20.87% of the investable value")
    # With a 25-point band the same cash is within it: no warning.
    wider = config_file(("drift_threshold: 5 ", "drift_threshold: 25 "), harvest=False)
    plan = json.loads(trader_main("--config", str(wider), "plan", "--json").out)
    assert not any("sits idle" in w for w in plan["warnings"])


def test_a_cash_category_over_target_reads_invest_not_sell(trader_main, tmp_path):
    config = tmp_path / "cash.yaml"
    config.write_text(
        "account: manual\n"
        "target_allocation: {cash: 90, technology: 10}\n"
        "categories: {technology: [XLK]}\n"
        "risk_management: {max_single_position: 100}\n"
        "portfolio: {cash: 5000, cash_reserve: 100}\n"
        "current_holdings: {XLK: {shares: 0, avg_cost: 185, current_price: 185}}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    review = trader_main("--config", str(config), "plan", "--no-sync", env={"COLUMNS": "160"})
    assert review.code == 0, review.err
    (cash_row,) = [line for line in review.out.splitlines() if line.startswith("│ cash ")]
    assert "INVEST" in cash_row and "SELL" not in cash_row


def test_two_plans_in_the_same_second_keep_both_reports(tmp_path):
    from datetime import UTC, datetime

    from trader.adapters.reports import write_report

    second = datetime(2026, 11, 24, 15, 0, 0, tzinfo=UTC)
    first = write_report(tmp_path, "plan", second, {"plan_id": None, "due": False})
    again = write_report(tmp_path, "plan", second, {"plan_id": None, "due": True})
    assert (first.name, again.name) == (
        "plan-20261124T150000Z.json",
        "plan-20261124T150000Z-2.json",
    )
    assert json.loads(first.read_text())["due"] is False


def test_an_80_column_terminal_sees_every_category_name_whole(trader_main, config_file):
    config = config_file()
    narrow = trader_main("--config", str(config), "plan", env={"COLUMNS": "80"})
    assert narrow.code == 0, narrow.err
    lines = narrow.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    for category in ("technology", "leveraged_long", "utilities"):
        assert any(line.startswith(f"│ {category} ") for line in lines), category
    header = next(line for line in lines if "Category" in line)
    assert "Fixed" not in header and "Fixed (the points of drift" in " ".join(narrow.out.split())
    wide = trader_main("--config", str(config), "plan", "--no-sync", env={"COLUMNS": "90"})
    header = next(line for line in wide.out.splitlines() if "Category" in line)
    assert "After" in header and "Fixed" in header
