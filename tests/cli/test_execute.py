"""``trader execute`` end to end through the CLI: the guards, the limits, conflicts, the result.

Most tests run on the embedded sim (its state persists between commands in
``$TRADER_HOME``, and ``trader sim price|clock|block`` move it); those that need a
second trader on the same account run a ``SimServer`` here and use account ``paper``.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import GetOrdersRequest, LimitOrderRequest, MarketOrderRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

D = Decimal


def staged(trader_main, config, env=None, count=3) -> dict:
    result = trader_main("--config", str(config), "plan", "--json", env=env)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert len(payload["orders"]) == count
    return payload


def database(tmp_path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "home" / "trader.db")


def order_rows(tmp_path) -> list[tuple]:
    return (
        database(tmp_path)
        .execute("select symbol, side, status, filled_qty, message from plan_order order by seq")
        .fetchall()
    )


@contextmanager
def paper_account(shared_sim, config_file, *replacements: tuple[str, str]):
    """A sim of this test process as an Alpaca paper account: (server, env, config, client).

    The client is the user's own alpaca-py, placing orders ``trader`` did not."""
    with shared_sim() as server:
        config = config_file(("account: sim", "account: paper"), *replacements, harvest=False)
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)
        yield server, sim_env(server), str(config), client


def sim_env(server) -> dict[str, str]:
    return {
        "APCA_API_BASE_URL": server.url,
        "APCA_API_KEY_ID": SIM_KEY_ID,
        "APCA_API_SECRET_KEY": SIM_SECRET_KEY,
    }


def test_sync_plan_execute_brings_every_category_within_band_once(
    trader_main, config_file, tmp_path
):
    # The shipped config: the rebalance (XLK sell, QQQ and XLF buys) and, with the two trade
    # slots left, the harvest of XLE's loss into VDE.
    config = str(config_file())
    plan = staged(trader_main, config, count=5)
    preview = trader_main("--config", config, "execute")
    assert preview.code == 0, preview.err
    assert "Nothing was sent" in preview.out and "trader execute --confirm" in preview.out
    # The dry run names each order's client order id, the key that makes it sent once.
    assert all(o["client_order_id"] in preview.out for o in plan["orders"])
    assert all(row[2] == "staged" for row in order_rows(tmp_path))

    done = trader_main("--config", config, "execute", "--confirm", "--json")
    assert done.code == 0, done.err
    result = json.loads(done.out)
    assert result["plan_id"] == plan["plan_id"] and result["status"] == "filled"
    assert [(o["symbol"], o["side"], o["status"]) for o in result["orders"]] == [
        ("XLK", "sell", "filled"),
        ("XLE", "sell", "filled"),
        ("QQQ", "buy", "filled"),
        ("XLF", "buy", "filled"),
        ("VDE", "buy", "filled"),
    ]
    for sent, planned in zip(result["orders"], plan["orders"], strict=True):
        assert sent["client_order_id"] == planned["client_order_id"]
        assert sent["filled_qty"] == planned["qty"] == sent["qty"]
        assert sent["broker_order_id"]

    again = trader_main("--config", config, "execute", "--confirm")
    assert again.code == 15
    assert "already executed" in again.err
    statuses = database(tmp_path).execute("select status from execution order by id").fetchall()
    assert statuses == [("completed",)]  # the refusal found no plan to run
    reports = list((tmp_path / "paper_logs").glob("execution-*.json"))
    assert len(reports) == 1

    history = json.loads(trader_main("--config", config, "history", "--json").out)
    assert [(h["plan_id"], h["status"], h["filled"]) for h in history] == [
        (plan["plan_id"], "executed", 5)
    ]
    assert history[0]["sold"] == "1700.34"  # 900.543 (4.8678 XLK) + 799.8 (12.9 XLE), to cents
    assert [e["status"] for e in history[0]["executions"]] == ["completed"]

    after = json.loads(trader_main("--config", config, "plan", "--json").out)
    assert after["due"] is False
    for row in after["allocation"]:
        assert abs(D(row["drift_pct"])) <= D(row["band_pct"]), row
    assert D(after["cash"]) >= 1000
    # What is left to do is harvesting only, and never buys XLE back within 31 days.
    assert {o["kind"] for o in after["orders"]} <= {"harvest"}
    assert "XLE" not in {o["symbol"] for o in after["orders"] if o["side"] == "buy"}


def test_no_staged_plan_is_refused(trader_main, config_file):
    result = trader_main("--config", str(config_file(harvest=False)), "execute", "--confirm")
    assert result.code == 15
    assert "no staged plan: run `trader plan` first" in result.err


def test_a_moved_price_refuses_before_sending(trader_main, config_file, tmp_path):
    config = str(config_file(harvest=False))
    staged(trader_main, config)
    # 185.00 -> 189.00 is 2.16%, beyond the 2% allowed.
    assert trader_main("--config", config, "sim", "price", "XLK", "189.00").code == 0
    result = trader_main("--config", config, "execute", "--confirm")
    assert result.code == 12, result.err
    assert "XLK $185.00 -> $189.00 (2.16%)" in result.err
    assert all(row[2] == "staged" for row in order_rows(tmp_path))


def test_a_small_price_move_is_allowed(trader_main, config_file, tmp_path):
    config = str(config_file(harvest=False))
    staged(trader_main, config)
    assert trader_main("--config", config, "sim", "price", "XLK", "188.50").code == 0  # 1.89%
    result = trader_main("--config", config, "execute", "--confirm")
    assert result.code == 0, result.err
    assert [row[2] for row in order_rows(tmp_path)] == ["filled"] * 3


def test_an_expired_plan_is_refused(trader_main, config_file, tmp_path):
    config = str(config_file(harvest=False))
    plan = staged(trader_main, config)
    old = (datetime.now(UTC) - timedelta(minutes=61)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with database(tmp_path) as connection:
        connection.execute("update plan set created_at = ? where uid = ?", (old, plan["plan_id"]))
    result = trader_main("--config", config, "execute", "--confirm")
    assert result.code == 11, result.err
    assert "more than plan_ttl_minutes (60)" in result.err


def test_a_closed_market_refuses_unless_queued(trader_main, config_file, tmp_path):
    config = str(config_file(harvest=False))
    staged(trader_main, config)
    assert trader_main("--config", config, "sim", "clock", "--close").code == 0
    refused = trader_main("--config", config, "execute", "--confirm")
    assert refused.code == 13, refused.err
    assert "--allow-queued" in refused.err

    queued = trader_main("--config", config, "execute", "--confirm", "--allow-queued", "--json")
    assert queued.code == 19, queued.err  # accepted, queued for the open
    result = json.loads(queued.out)
    assert [o["status"] for o in result["orders"]] == ["accepted"] * 3
    # Buys were sized from the cash there before the sells: 2,400 above the reserve covers them.
    assert [o["qty"] for o in result["orders"]] == [o["planned_qty"] for o in result["orders"]]
    waiting = json.loads(trader_main("--config", config, "sync", "--json").out)
    assert waiting["plan_orders_updated"] == 0  # still accepted: nothing changed

    assert trader_main("--config", config, "sim", "clock", "--open").code == 0
    # A sync alone brings the plan's record up to date: the queued orders filled at the open.
    synced = trader_main("--config", config, "sync", "--json")
    assert synced.code == 0, synced.err
    assert json.loads(synced.out)["plan_orders_updated"] == 3
    assert [row[2] for row in order_rows(tmp_path)] == ["filled"] * 3
    assert all(Decimal(row[3]) > 0 for row in order_rows(tmp_path))
    (plan,) = json.loads(trader_main("--config", config, "history", "--json").out)
    assert plan["filled"] == 3, plan
    again = json.loads(trader_main("--config", config, "sync", "--json").out)
    assert again["plan_orders_updated"] == 0  # nothing is working any more

    orders = trader_main("--config", config, "orders", "--json")
    assert orders.code == 0, orders.err
    mine = [o for o in json.loads(orders.out) if o["plan_id"] == result["plan_id"]]
    assert sorted(o["status"] for o in mine) == ["filled"] * 3


def test_fat_finger_limits_refuse_before_sending(trader_main, config_file, tmp_path):
    per_order = config_file(("max_order_dollars: 10000", "max_order_dollars: 1000"), harvest=False)
    staged(trader_main, per_order)
    result = trader_main("--config", str(per_order), "execute", "--confirm")
    assert result.code == 16
    # Counted at its limit, 1% above the $410.00 it trades at: 2.80482561 x $414.10.
    assert (
        "buy 2.80482561 QQQ is worth $1,161.48 at its limit $414.10, above "
        "execution.max_order_dollars" in result.err
    )

    session = config_file(
        ("max_order_dollars: 10000", "max_order_dollars: 2000"),
        ("max_session_dollars: 50000", "max_session_dollars: 2500"),
        harvest=False,
    )
    result = trader_main("--config", str(session), "execute", "--confirm")
    assert result.code == 16
    # $2,875.49 at the prices, $19.75 more with the buys (1,974.95) at their 1% limits.
    assert "add up to $2,895.24, above execution.max_session_dollars ($2,500.00)" in result.err
    assert all(row[2] == "staged" for row in order_rows(tmp_path))


def test_a_blocked_account_is_refused(trader_main, config_file):
    config = str(config_file(harvest=False))
    staged(trader_main, config)
    assert trader_main("--config", config, "sim", "block").code == 0
    result = trader_main("--config", config, "execute", "--confirm")
    assert result.code == 14
    assert "blocks trading" in result.err


def test_a_changed_account_is_refused(trader_main, config_file, tmp_path, shared_sim):
    with paper_account(shared_sim, config_file) as (server, env, config, client):
        staged(trader_main, config, env)
        client.submit_order(
            MarketOrderRequest(
                symbol="SPY", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        result = trader_main("--config", config, "execute", "--confirm", env=env)
    assert result.code == 10, result.err
    assert "SPY 2.5 -> 3.5 shares" in result.err and "cash $3,400.00 -> $2,920.00" in result.err


def test_a_conflicting_open_order_is_skipped_or_cancelled(
    trader_main, config_file, tmp_path, shared_sim
):
    # cash_flow full: the second plan buys only the category still out of band (prefer
    # would spend all the cash above the reserve on the most underweight).
    full = ("cash_flow: prefer ", "cash_flow: full ")
    with paper_account(shared_sim, config_file, full) as (server, env, config, client):
        # The user's own take-profit sell on XLF, far above the price: it stays open.
        theirs = client.submit_order(
            LimitOrderRequest(
                symbol="XLF",
                qty=5,
                side=OrderSide.SELL,
                time_in_force=TimeInForce.GTC,
                limit_price=60,
            )
        )
        staged(trader_main, config, env)
        skipped = trader_main("--config", config, "execute", "--confirm", "--json", env=env)
        assert skipped.code == 0, skipped.err
        result = json.loads(skipped.out)
        xlf = next(o for o in result["orders"] if o["symbol"] == "XLF")
        assert xlf["status"] == "skipped" and "potential wash trade" in xlf["reason"]
        assert result["status"] == "filled_with_skips"
        assert str(client.get_order_by_id(theirs.id).status.value) == "new"

        staged(trader_main, config, env, count=1)  # only XLF is left to buy
        cancelled = trader_main(
            "--config", config, "execute", "--confirm", "--cancel-conflicting", "--json", env=env
        )
        assert cancelled.code == 0, cancelled.err
        result = json.loads(cancelled.out)
        assert [o["status"] for o in result["orders"] if o["symbol"] == "XLF"] == ["filled"]
        assert str(client.get_order_by_id(theirs.id).status.value) == "canceled"
        assert any("--cancel-conflicting" in note for note in result["notes"])


def test_a_rejected_order_is_recorded_and_the_others_go_on(
    trader_main, config_file, tmp_path, shared_sim
):
    with paper_account(shared_sim, config_file) as (server, env, config, client):
        staged(trader_main, config, env)
        # A sell of every XLK share stays open (limit far above): our XLK sell has no qty left.
        client.submit_order(
            LimitOrderRequest(
                symbol="XLK",
                qty=17.3,
                side=OrderSide.SELL,
                time_in_force=TimeInForce.DAY,
                limit_price=400,
            )
        )
        result = trader_main("--config", config, "execute", "--confirm", "--json", env=env)
        orders = client.get_orders(GetOrdersRequest(status="all"))
    assert result.code == 8, result.err
    payload = json.loads(result.out)
    xlk, qqq, xlf = payload["orders"]
    assert xlk["status"] == "rejected" and "insufficient qty available" in xlk["reason"]
    assert (qqq["status"], xlf["status"]) == ("filled", "filled")
    assert payload["status"] == "rejected_orders"
    # Without the sale the buys still fit in the 2,400 above the reserve.
    assert sum(1 for o in orders if o.client_order_id.startswith("trader-")) == 2


def test_buys_are_sized_from_the_cash_after_the_sells(
    trader_main, config_file, tmp_path, shared_sim
):
    timeout = ("fill_timeout_seconds: 60", "fill_timeout_seconds: 1")
    with paper_account(shared_sim, config_file, timeout) as (server, env, config, client):
        # Spend most of the cash first: 5 XLV, 2 SPY, 8 XLE, 4 TLT leave $839, below the reserve.
        for symbol, qty in (("XLV", 5), ("SPY", 2), ("XLE", 8), ("TLT", 4)):
            client.submit_order(
                MarketOrderRequest(
                    symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
                )
            )
        plan = staged(trader_main, config, env, count=5)
        assert [(o["side"], o["symbol"], o["est_value"]) for o in plan["orders"]] == [
            ("sell", "SPY", "1010.02"),
            ("sell", "XLK", "900.54"),
            ("sell", "XLV", "599.38"),
            ("buy", "QQQ", "1149.98"),
            ("buy", "XLF", "824.97"),
        ]
        # The XLK sale will not fill: the buys can only use 839 + 1,010.02 + 599.38 - 1,000.
        server.controls.set_fill_ratio("XLK", D(0))
        result = trader_main(
            "--config", config, "execute", "--confirm", "--cancel-unfilled", "--json", env=env
        )
        cash = D(str(client.get_account().cash))
    assert result.code == 0, result.err
    spy, xlk, xlv, qqq, xlf = json.loads(result.out)["orders"]
    assert (spy["status"], xlv["status"], qqq["status"]) == ("filled", "filled", "filled")
    assert xlk["status"] == "cancelled" and xlk["filled_qty"] == "0"
    assert qqq["qty"] == qqq["planned_qty"]
    # 1,448.40 above the reserve. Each buy counts at its limit, 1% above its price (the
    # collar): QQQ takes 2.80482561 x 414.10 = 1,161.48, leaving 286.92 for XLF at its limit
    # 40.40: 7.1020 shares. Both fill at the price (410, 40): 1,434.06 spent, cash 1,014.34.
    assert xlf["status"] == "filled" and xlf["qty"].startswith("7.1020")
    assert xlf["reason"].startswith(f"shrunk from 20.62419375 to {xlf['qty']} shares")
    assert "counting each buy at its limit price ($40.40)" in xlf["reason"]
    assert D("1014.33") <= cash <= D("1014.35")


def test_live_execution_needs_both_opt_ins_and_the_account_number(
    trader_main, config_file, monkeypatch, shared_sim
):
    # A live account trades only on Alpaca's live host; here the sim stands in for it.
    with shared_sim() as server:
        monkeypatch.setattr("trader.broker.connect.LIVE_HOST", server.url)
        env = sim_env(server)
        opted_in = config_file(
            ("account: sim", "account: live"),
            ("allow_live_trading: false", "allow_live_trading: true"),
            harvest=False,
        )
        without_flag = trader_main("--config", str(opted_in), "execute", "--confirm", env=env)
        assert without_flag.code == 2 and "--live" in without_flag.err
        staged_live = trader_main("--config", str(opted_in), "plan", "--live", env=env)
        assert staged_live.code == 0, staged_live.err
        no_terminal = trader_main(
            "--config", str(opted_in), "execute", "--confirm", "--live", env=env
        )
        assert no_terminal.code == 2 and "account number" in no_terminal.err
        sent = trader_main(
            "--config", str(opted_in), "execute", "--confirm", "--live", "--yes", env=env
        )
        assert sent.code == 0, sent.err


def test_manual_accounts_are_never_executed(trader_main, tmp_path):
    config = tmp_path / "manual.yaml"
    config.write_text(
        "account: manual\n"
        "target_allocation: {technology: 100}\n"
        "categories: {technology: [XLK]}\n"
        "risk_management: {max_single_position: 100}\n"
        "portfolio: {cash: 5000}\n"
        "current_holdings: {XLK: {shares: 1, avg_cost: 150, current_price: 185}}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    assert trader_main("--config", str(config), "plan").code == 0
    result = trader_main("--config", str(config), "execute", "--confirm")
    assert result.code == 2 and "never executed" in result.err


def test_an_80_column_terminal_sees_every_quantity_and_figure_whole(trader_main, config_file):
    config = str(config_file())
    plan = staged(trader_main, config, count=5)
    narrow = {"COLUMNS": "80"}
    preview = trader_main("--config", config, "execute", env=narrow)
    assert preview.code == 0, preview.err
    assert max(len(line) for line in preview.out.splitlines()) <= 80
    rows = [line for line in preview.out.splitlines() if line.startswith("│ ")]
    for order in plan["orders"]:
        # Each order's whole quantity on its row, beside the end of its client order id.
        ending = order["client_order_id"].removeprefix(f"trader-{plan['plan_id']}-")
        row = next(line for line in rows if f"│ {order['symbol']} " in line)
        assert f" {order['qty']} │" in row, row
        assert ending[:6] in row, row
    assert f"Client order id: trader-{plan['plan_id']}-…" in preview.out

    history = trader_main("--config", config, "history", env=narrow)
    assert max(len(line) for line in history.out.splitlines()) <= 80
    assert f"│ {plan['plan_id'][:8]} │ staged " in history.out
    assert "│    0/5 │" in history.out and "…" not in history.out

    done = trader_main("--config", config, "execute", "--confirm", env=narrow)
    assert done.code == 0, done.err
    assert max(len(line) for line in done.out.splitlines()) <= 80
    assert "…" not in done.out
    for order in plan["orders"]:  # all filled: the quantity alone, whole, with its kind
        row = next(line for line in done.out.splitlines() if f"│ {order['symbol']} " in line)
        assert f"│ {order['kind']} " in row and f" {order['qty']} │" in row, row


def test_cancel_conflicting_cancels_every_conflicting_order(
    trader_main, config_file, tmp_path, shared_sim
):
    # Two of the user's own GTC sells of XLF, far above the price, and a plan that buys XLF:
    # while either is open Alpaca refuses the buy as a potential wash trade, so both go.
    full = ("cash_flow: prefer ", "cash_flow: full ")
    with paper_account(shared_sim, config_file, full) as (server, env, config, client):
        theirs = [
            client.submit_order(
                LimitOrderRequest(
                    symbol="XLF", qty=5, side=OrderSide.SELL, time_in_force=TimeInForce.GTC,
                    limit_price=limit,
                )
            )
            for limit in (60, 70)
        ]  # fmt: skip
        plan = staged(trader_main, config, env)
        assert any(o["symbol"] == "XLF" and o["side"] == "buy" for o in plan["orders"])
        result = trader_main(
            "--config", config, "execute", "--confirm", "--cancel-conflicting", "--json", env=env
        )
        assert result.code == 0, result.out + result.err
        executed = json.loads(result.out)
        statuses = [str(client.get_order_by_id(o.id).status.value) for o in theirs]
    assert [o["status"] for o in executed["orders"] if o["symbol"] == "XLF"] == ["filled"]
    assert statuses == ["canceled", "canceled"]
