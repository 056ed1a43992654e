"""``trader execute --confirm`` sends each planned order exactly once, whatever the broker does.

Each test starts from the seed account's plan as ``trader plan`` staged it (sell XLK,
buy QQQ, buy XLF; see ``staged_home``), on a fresh sim started here. It injects one
fault while ``trader execute --confirm`` runs (aimed at a chosen request with the
``hook`` fixture), reruns after clearing the fault when the run failed, and checks
the whole promise: every planned order once at the broker, no duplicate refused, the
store in line with the broker, the plan executed, and one more run sending nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from decimal import Decimal

import pytest

D = Decimal
SUBMIT = ("POST", "/v2/orders")


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def finish(process: subprocess.Popen, timeout: float = 30) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def rerun_after_clearing(acct) -> None:
    acct.server.controls.clear_faults()
    again = acct.execute()
    assert again.code == 0, again.out + again.err


def test_a_submission_dropped_after_the_broker_accepted_it_is_looked_up_not_resent(account):
    acct = account()
    acct.server.controls.drop_after_accept(1)
    result = acct.execute()
    assert result.code == 0, result.out + result.err
    posts = acct.posts()
    assert posts[0]["dropped"] is True and posts[0]["status"] == 200
    assert len(acct.posts()) == 3  # the dropped sell was never sent again
    acct.assert_sent_exactly_once()
    acct.assert_nothing_more_to_send()


@pytest.mark.parametrize(
    ("count", "interrupted"),
    [
        (1, False),  # the submission fails; the lookup says "not there"; sent again
        (3, True),  # the submission and both tries of the lookup fail: the run stops
    ],
    ids=["submission", "submission-and-lookup"],
)
def test_server_errors_on_a_submission(account, hook, count, interrupted):
    acct = account()
    hook.once(*SUBMIT, lambda: acct.server.controls.fail_next(count, 500))
    result = acct.execute()
    assert acct.posts()[0]["status"] == 500
    if interrupted:
        assert result.code == 5, result.out + result.err
        assert "run `trader execute --confirm` again to finish plan" in result.err
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
        xlk = acct.orders()[0]
        assert xlk["status"] == "submitted" and xlk["broker_order_id"] is None
        assert acct.plan_status() == "executing"
        assert acct.executions() == ["interrupted"]
        rerun_after_clearing(acct)
        assert acct.executions() == ["interrupted", "completed"]
    else:
        assert result.code == 0, result.out + result.err
    assert [p["status"] for p in acct.posts()] == [500, 200, 200, 200]
    acct.assert_sent_exactly_once()
    acct.assert_nothing_more_to_send()


@pytest.mark.parametrize(
    ("path", "skip"),
    [
        # The wait for the sell, after it was sent: after the look for another database's
        # orders (open, then recent) and the one for conflicting orders.
        ("/v2/orders", 3),
        ("/v2/orders:by_client_order_id", 0),  # the sell's lookup, after it was sent
    ],
    ids=["listing-open-orders", "looking-up-the-sell"],
)
def test_server_errors_while_reading(account, hook, path, skip):
    acct = account()
    # max_retries 1: two failures in a row outlast the retries of one read.
    hook.once("GET", path, lambda: acct.server.controls.fail_next(2, 500), skip=skip)
    result = acct.execute()
    assert hook.pending == 0
    assert result.code == 5, result.out + result.err
    assert acct.plan_status() == "executing"
    assert acct.executions() == ["interrupted"]
    rerun_after_clearing(acct)
    assert len(acct.posts()) == 3
    acct.assert_sent_exactly_once()
    acct.assert_nothing_more_to_send()


@pytest.mark.parametrize("burst", [2, 4], ids=["absorbed", "outlasting-the-retries"])
def test_a_burst_of_429s_on_a_submission(account, hook, burst):
    acct = account()
    hook.once(*SUBMIT, lambda: acct.server.controls.rate_limit(burst))
    result = acct.execute()
    assert acct.posts()[0]["status"] == 429
    if burst > 2:
        assert result.code == 5, result.out + result.err
        assert acct.orders()[0]["status"] == "submitted"
        rerun_after_clearing(acct)
    else:
        assert result.code == 0, result.out + result.err
    statuses = [p["status"] for p in acct.posts()]
    assert statuses.count(200) == 3 and set(statuses) <= {200, 429}
    acct.assert_sent_exactly_once()
    acct.assert_nothing_more_to_send()


def test_a_submission_slower_than_the_client_timeout(account, hook):
    acct = account(("timeout_seconds: 10", "timeout_seconds: 1"))
    fired: list[float] = []

    def slow_down() -> None:
        fired.append(time.monotonic())
        acct.server.controls.latency(3, 1)

    hook.once(*SUBMIT, slow_down)
    result = acct.execute()
    assert fired, "no submission was slowed down"
    # The slow submission reaches the broker 3 s after it came in, whatever the client did.
    time.sleep(max(0.0, fired[0] + 3.5 - time.monotonic()))
    if result.code != 0:
        rerun_after_clearing(acct)
    acct.assert_recorded_once()  # holds: the broker kept one order per client order id
    acct.assert_nothing_more_to_send()
    acct.assert_no_duplicate_refused()  # the patient lookup found the slow original


def test_a_run_killed_between_submissions_is_finished_by_the_next(account):
    acct = account()
    acct.server.controls.latency(0.15, 1000)  # every request slow: time to kill the run
    process = acct.start_execute()
    try:
        wait_for(lambda: any(p["status"] == 200 for p in acct.posts()), 30, "the first submission")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        code, _, _ = finish(process)
    assert code == -signal.SIGKILL
    assert len(acct.posts()) == 1
    assert acct.plan_status() == "executing"
    assert acct.orders()[0]["status"] in ("submitted", "accepted", "filled")
    assert [o["status"] for o in acct.orders()[1:]] == ["staged", "staged"]
    rerun_after_clearing(acct)
    assert len(acct.posts()) == 3  # only the two buys: the sell was found, not resent
    acct.assert_sent_exactly_once()
    first, *rest = acct.executions()
    assert first != "completed" and rest == ["completed"]
    acct.assert_nothing_more_to_send()


def test_a_second_run_on_the_same_account_is_refused_while_the_first_holds_the_lock(account):
    acct = account()
    acct.server.controls.latency(0.25, 1000)
    first = acct.start_execute()
    try:
        # The lock is taken right after the first account read: wait for the next request.
        wait_for(lambda: len(acct.server.controls.requests()) >= 2, 30, "the first run to start")
        second = acct.execute()
        assert first.poll() is None, "the first run ended too soon for this test"
    finally:
        acct.server.controls.latency(0, 0)
        code, out, err = finish(first)
    assert second.code == 17, second.out + second.err
    # Keyed on the account number, shown masked.
    assert "another trader execute is running on account ********" in second.err
    assert code == 0, out + err
    assert len(acct.posts()) == 3
    acct.assert_sent_exactly_once()
    assert acct.executions() == ["completed"]
    acct.assert_nothing_more_to_send()


def test_a_partial_fill_is_recorded_and_left_open(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 1"))
    acct.server.controls.set_fill_ratio("QQQ", "0.5")
    result = acct.execute()
    assert result.code == 18, result.out + result.err
    sell, qqq, xlf = acct.orders()
    assert sell["status"] == xlf["status"] == "filled"
    assert qqq["status"] == "partially_filled"
    assert D(qqq["filled_qty"]) == D(qqq["sent_qty"]) / 2 > 0
    at_broker = acct.plan_orders_at_broker()
    assert {cid: len(orders) for cid, orders in at_broker.items()} == dict.fromkeys(
        acct.client_ids, 1
    )
    (broker_qqq,) = at_broker[qqq["client_order_id"]]
    assert broker_qqq.status.value == "partially_filled"
    assert D(broker_qqq.filled_qty) == D(qqq["filled_qty"])
    assert qqq["broker_order_id"] == str(broker_qqq.id)
    assert len(acct.posts()) == 3
    acct.assert_no_duplicate_refused()


def test_a_partial_fill_is_cancelled_with_cancel_unfilled(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 1"))
    acct.server.controls.set_fill_ratio("QQQ", "0.5")
    result = acct.execute("--cancel-unfilled")
    assert result.code == 0, result.out + result.err
    sell, qqq, xlf = acct.orders()
    assert sell["status"] == xlf["status"] == "filled"
    assert qqq["status"] == "cancelled"
    assert D(qqq["filled_qty"]) == D(qqq["sent_qty"]) / 2 > 0
    (broker_qqq,) = acct.plan_orders_at_broker()[qqq["client_order_id"]]
    assert broker_qqq.status.value == "canceled"
    assert D(broker_qqq.filled_qty) == D(qqq["filled_qty"])
    assert acct.plan_status() == "executed"
    assert len(acct.posts()) == 3
    acct.assert_no_duplicate_refused()
    acct.assert_nothing_more_to_send()
