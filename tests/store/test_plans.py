"""Staged plans in the store: exact round trips, superseding, one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trader.core.domain import AccountMode, Side
from trader.core.staging import StagedOrder, StagedPlan, client_order_id
from trader.errors import StorageError

D = Decimal
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def staged(uid: str, minutes: int = 0, mode: AccountMode = AccountMode.SIM) -> StagedPlan:
    orders = (
        StagedOrder(
            seq=1,
            client_order_id=client_order_id(uid, 1, Side.SELL, "XLK"),
            symbol="XLK",
            side=Side.SELL,
            qty=D("4.867800001"),
            est_price=D("185.00"),
            est_value=D("900.54"),
            category="technology",
            reason="technology above its band",
            est_realized_pl=D("-115.62"),
        ),
        StagedOrder(
            seq=2,
            client_order_id=client_order_id(uid, 2, Side.BUY, "QQQ"),
            symbol="QQQ",
            side=Side.BUY,
            qty=D("2.80482561"),
            est_price=D("410"),
            est_value=D("1149.98"),
            category="nasdaq",
            reason="nasdaq below its band",
        ),
    )
    return StagedPlan(
        uid=uid,
        mode=mode,
        status="staged",
        created_at=T0 + timedelta(minutes=minutes),
        method="threshold",
        input_hash="a" * 64,
        equity=D("12499.78"),
        investable=D("11499.78"),
        cash=D("3400"),
        cash_after=D("2325.6"),
        orders=orders,
        payload={"plan_id": uid, "warnings": ["x"]},
    )


def test_a_staged_plan_reads_back_exactly(store, account_key):
    plan = staged("1" * 32)
    assert store.stage_plan(AccountMode.SIM, plan, account_key=account_key) == []
    assert store.staged_plan(AccountMode.SIM) == plan
    assert store.staged_plan(AccountMode.SIM, "1" * 32) == plan
    assert store.staged_plan(AccountMode.PAPER) is None


def test_a_new_plan_supersedes_the_older_one_of_the_same_account(store, account_key):
    store.stage_plan(AccountMode.SIM, staged("1" * 32), account_key=account_key)
    superseded = store.stage_plan(AccountMode.SIM, staged("2" * 32, 5), account_key=account_key)
    assert superseded == ["1" * 32]
    assert store.staged_plan(AccountMode.SIM).uid == "2" * 32
    assert store.staged_plan(AccountMode.SIM, "1" * 32).status == "superseded"
    # A look that finds nothing to do supersedes too.
    assert store.stage_plan(AccountMode.SIM, None, account_key=account_key) == ["2" * 32]
    assert store.staged_plan(AccountMode.SIM) is None


def test_manual_plans_have_no_account(store):
    plan = staged("3" * 32, mode=AccountMode.MANUAL)
    store.stage_plan(AccountMode.MANUAL, plan, account_key=None)
    assert store.staged_plan(AccountMode.MANUAL) == plan
    assert store.stage_plan(AccountMode.MANUAL, None, account_key=None) == ["3" * 32]


def test_a_reused_client_order_id_writes_nothing(store, account_key):
    store.stage_plan(AccountMode.SIM, staged("4" * 32), account_key=account_key)
    again = staged("4" * 32)
    clash = StagedPlan(**{**{f: getattr(again, f) for f in again.__slots__}, "uid": "5" * 32})
    with pytest.raises(StorageError):
        store.stage_plan(AccountMode.SIM, clash, account_key=account_key)
    # The transaction rolled back: the first plan is still the staged one.
    assert store.staged_plan(AccountMode.SIM).uid == "4" * 32


def test_last_rebalance_is_the_newest_executed_plan(store, account_key):
    assert store.last_rebalance(AccountMode.SIM) is None


def test_the_execution_lock_is_held_by_one_at_a_time(database_url):
    from trader.errors import ExecutionLocked
    from trader.store import open_store

    first, second = open_store(database_url), open_store(database_url)
    try:
        with first.execution_lock("sim:acc-1"):
            with (
                pytest.raises(ExecutionLocked, match="another trader execute"),
                second.execution_lock("sim:acc-1"),
            ):
                pass
            with second.execution_lock("sim:acc-2"):  # another account is free
                pass
        with second.execution_lock("sim:acc-1"):  # released on leaving the block
            pass
    finally:
        first.close()
        second.close()


def test_order_updates_and_executions_are_recorded(store, account_key):
    uid = "6" * 32
    store.stage_plan(AccountMode.SIM, staged(uid), account_key=account_key)
    store.set_plan_status(uid, "executing")
    run = store.start_execution(uid, {"to_send": 2})
    store.update_order(uid, 1, status="submitted", sent_qty=D("4.867800001"))
    store.update_order(
        uid,
        1,
        status="filled",
        broker_order_id="b-1",
        filled_qty=D("4.867800001"),
        filled_avg_price=D("184.990000001"),
    )
    store.update_order(uid, 2, status="rejected", message="insufficient buying power")
    store.set_plan_status(uid, "executed")
    store.finish_execution(run, "completed", {"sent": 2})
    plan = store.staged_plan(AccountMode.SIM, uid)
    sell, buy = plan.orders
    assert (sell.status, sell.filled_qty, sell.filled_avg_price) == (
        "filled",
        D("4.867800001"),
        D("184.990000001"),
    )
    assert sell.updated_at is not None and sell.broker_order_id == "b-1"
    assert (buy.status, buy.message) == ("rejected", "insufficient buying power")
    assert plan.status == "executed"
    assert store.staged_plan(AccountMode.SIM) is None  # nothing left staged
    assert store.latest_plan(AccountMode.SIM).uid == uid
    assert store.last_rebalance(AccountMode.SIM) == plan.created_at
    (execution,) = store.executions(uid)
    assert execution["status"] == "completed" and execution["detail"] == {"sent": 2}


def test_every_field_of_a_planned_order_survives_staging_and_the_store(store, account_key):
    """A field added to PlannedOrder must reach the stored order: kind was once dropped here."""
    from dataclasses import fields

    from trader.core.engine.plan import Plan, PlannedOrder
    from trader.core.staging import Basis
    from trader.planning.service import to_staged

    # Every field set away from its default, so a dropped one reads back different.
    planned = PlannedOrder(
        symbol="XLK",
        side=Side.SELL,
        qty=D("3"),
        est_price=D("90"),
        est_value=D("270"),
        category="technology",
        reason="harvest a loss",
        est_realized_pl=D("-30"),
        kind="harvest",
        est_short_term=D("-20"),
        est_long_term=D("-10"),
        est_washed=D("12.5"),
    )
    defaults = {f.name: f.default for f in fields(PlannedOrder)}
    assert all(getattr(planned, name) != default for name, default in defaults.items())
    plan = Plan.__new__(Plan)  # to_staged reads orders and the header only
    for name, value in {
        "orders": (planned,),
        "method": type("M", (), {"value": "threshold"})(),
        "input_hash": "a" * 64,
        "equity": D("1000"),
        "investable": D("900"),
        "cash": D("100"),
        "cash_after": D("370"),
    }.items():
        object.__setattr__(plan, name, value)
    uid = "3" * 32
    client_id = client_order_id(uid, 1, Side.SELL, "XLK")
    staged_plan = to_staged(plan, uid, AccountMode.SIM, T0, [client_id], {}, Basis(D("100")))
    store.stage_plan(AccountMode.SIM, staged_plan, account_key=account_key)

    stored = store.staged_plan(AccountMode.SIM, uid).orders[0]
    for f in fields(PlannedOrder):
        assert getattr(stored, f.name) == getattr(planned, f.name), f.name
    assert stored.kind == "harvest"


def test_the_store_refuses_a_change_of_status_the_life_of_a_plan_does_not_allow(store, account_key):
    from trader.core.statuses import InvalidStatusChange

    uid = "7" * 32
    store.stage_plan(AccountMode.SIM, staged(uid), account_key=account_key)
    with pytest.raises(InvalidStatusChange, match="a plan cannot go from staged to executed"):
        store.set_plan_status(uid, "executed")
    store.update_order(uid, 1, status="filled", filled_qty=D(1))
    with pytest.raises(InvalidStatusChange, match="order 1: an order cannot go from filled"):
        store.update_order(uid, 1, status="accepted")
    plan = store.staged_plan(AccountMode.SIM, uid)
    assert (plan.status, plan.orders[0].status) == ("staged", "filled")  # nothing written
