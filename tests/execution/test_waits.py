"""How long ``trader execute --confirm`` waits, and what it leaves when it stops waiting:
one fill timeout at most when nothing new is sent after the sells, no wait at all for
orders queued while the market is closed, and a record and a way on after Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import time

from tests.execution.test_faults import finish, wait_for

TIMEOUT = 4.0


def test_no_second_wait_when_every_buy_is_dropped(account):
    # XLK's sell never fills, and a reserve this large leaves no cash for either buy.
    acct = account(
        ("fill_timeout_seconds: 2", f"fill_timeout_seconds: {TIMEOUT:g}"),
        ("cash_reserve: 1000", "cash_reserve: 1000000"),
    )
    acct.server.controls.set_fill_ratio("XLK", "0")
    started = time.monotonic()
    result = acct.execute()
    elapsed = time.monotonic() - started
    assert result.code == 18, result.out + result.err
    sell, qqq, xlf = acct.orders()
    assert sell["status"] in ("accepted", "submitted", "partially_filled"), sell
    assert qqq["status"] == xlf["status"] == "skipped"
    assert len(acct.posts()) == 1  # the sell alone was sent
    # One wait of 4 s and the process's own start-up, never two waits (8 s and more).
    assert TIMEOUT <= elapsed < 1.5 * TIMEOUT + 2.5, elapsed


def test_orders_queued_while_the_market_is_closed_are_reported_at_once(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 30"))
    acct.server.controls.close_market()
    started = time.monotonic()
    result = acct.execute("--allow-queued")
    elapsed = time.monotonic() - started
    assert result.code == 19, result.out + result.err
    assert elapsed < 15, elapsed  # no wait for fills that cannot come before the open
    assert [o["status"] for o in acct.orders()] == ["accepted"] * 3
    assert len(acct.posts()) == 3
    assert "queued" in result.out and "until the market opens" in result.out
    assert "not filled in 30 s" not in result.out


def test_ctrl_c_while_waiting_for_a_sell_says_what_was_sent_and_records_the_run(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 60"))
    acct.server.controls.set_fill_ratio("XLK", "0")  # the sell is accepted, never filled
    process = acct.start_execute()
    try:
        wait_for(lambda: any(p["status"] == 200 for p in acct.posts()), 30, "the sell")
        time.sleep(1.0)  # into the wait for the fill
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
    finally:
        code, out, err = finish(process)
    assert code == 130, out + err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    sell = acct.orders()[0]
    assert lines[0].startswith(f"error: interrupted: 1 order(s) of plan {acct.plan_id} were sent")
    assert f"sell {sell['sent_qty']} XLK accepted ({acct.client_ids[0]})" in lines[0]
    assert "run `trader execute --confirm` to finish the plan" in lines[0]
    assert acct.executions() == ["interrupted"]
    assert acct.plan_status() == "executing"
    (plan,) = json.loads(acct.trader("history", "--json").out)
    assert [e["status"] for e in plan["executions"]] == ["interrupted"]


def test_a_run_whose_process_died_shows_as_interrupted(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 60"))
    acct.server.controls.set_fill_ratio("XLK", "0")
    process = acct.start_execute()
    try:
        wait_for(lambda: any(p["status"] == 200 for p in acct.posts()), 30, "the sell")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        code, _, _ = finish(process)
    assert code == -signal.SIGKILL
    assert acct.executions() == ["running"]  # the dead process recorded nothing
    # Read time: the process is gone, so history shows the run interrupted.
    (plan,) = json.loads(acct.trader("history", "--json").out)
    assert [e["status"] for e in plan["executions"]] == ["interrupted"]
    # The next execute takes the free lock and records it so in the store.
    preview = acct.trader("execute")
    assert preview.code == 0, preview.out + preview.err
    assert acct.executions() == ["interrupted"]
    with acct.db() as database:
        (detail,) = database.execute("select detail from execution").fetchone()
    assert "killed or crashed" in json.loads(detail)["error"]
