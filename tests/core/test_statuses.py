"""Statuses say what they hold, and every change of one is checked in one place."""

from __future__ import annotations

import pytest

from trader.core.statuses import (
    ORDER_CHANGES,
    InvalidStatusChange,
    OrderKind,
    OrderStatus,
    PlanStatus,
    check_order_change,
    check_plan_change,
    contradicts,
)
from trader.store.tables import ORDER_KINDS, ORDER_STATUSES, PLAN_STATUSES


def test_the_stored_strings_are_the_ones_the_database_always_held():
    assert PLAN_STATUSES == ("staged", "superseded", "executing", "executed", "expired", "rejected")
    assert ORDER_STATUSES == (
        "staged",
        "submitted",
        "accepted",
        "partially_filled",
        "filled",
        "rejected",
        "cancelled",
        "expired",
        "skipped",
    )
    assert ORDER_KINDS == ("rebalance", "harvest", "trailing_stop")
    assert OrderStatus.FILLED == "filled" and f"{PlanStatus.EXECUTING}" == "executing"
    assert OrderKind("harvest") is OrderKind.HARVEST


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("staged", "submitted"),
        ("submitted", "accepted"),
        ("accepted", "partially_filled"),
        ("partially_filled", "filled"),
        ("partially_filled", "accepted"),  # the broker cancelling the rest: pending_cancel
        ("submitted", "staged"),  # cut off before the broker had it
        ("staged", "skipped"),
        ("staged", "filled"),  # the first answer already says filled
        ("filled", "filled"),  # a later sync repeats what is known
    ],
)
def test_an_order_may_move_along_its_life(before, after):
    assert check_order_change(before, after) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("filled", "accepted"),
        ("cancelled", "filled"),
        ("skipped", "submitted"),
        ("rejected", "staged"),
        ("accepted", "staged"),
        ("partially_filled", "rejected"),
    ],
)
def test_an_order_never_moves_back_from_an_end(before, after):
    with pytest.raises(InvalidStatusChange, match=f"from {before} to {after}"):
        check_order_change(before, after)


def test_every_final_order_status_is_final_and_every_other_can_end():
    finals = {s for s, onward in ORDER_CHANGES.items() if not onward}
    assert finals == {"filled", "rejected", "cancelled", "expired", "skipped"}
    for status, onward in ORDER_CHANGES.items():
        assert status in finals or onward & finals, status


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("staged", "executing", True),
        ("staged", "superseded", True),
        ("staged", "rejected", True),
        ("executing", "executing", True),  # the next run takes an interrupted one on
        ("executing", "executed", True),
        ("executed", "executing", False),
        ("superseded", "executing", False),
        ("rejected", "executing", False),
        ("executing", "superseded", False),
    ],
)
def test_a_plan_moves_forward_only(before, after, allowed):
    if allowed:
        assert check_plan_change(before, after) == after
    else:
        with pytest.raises(InvalidStatusChange):
            check_plan_change(before, after)


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        check_order_change("staged", "lost")


@pytest.mark.parametrize(
    ("before", "after", "contradiction"),
    [
        ("rejected", "filled", True),  # the broker filled what a wrong answer had us reject
        ("filled", "accepted", True),
        ("skipped", "filled", True),
        ("submitted", "filled", False),  # an ordinary step
        ("filled", "filled", False),
        ("accepted", "cancelled", False),
    ],
)
def test_a_broker_report_no_step_explains_is_a_contradiction(before, after, contradiction):
    assert contradicts(before, after) is contradiction
