"""What a plan and each of its orders can be, and which changes between them are allowed.

The values are the strings the store has always held, so no data migration is needed
and a ``StrEnum`` compares equal to its stored string. Every change of status goes
through :func:`check_plan_change` or :func:`check_order_change`, called by the store
where it writes one, so a change the life of a plan does not allow is a bug caught in
one place rather than a record that quietly contradicts itself.

An order's life:

    staged ──> submitted ──> accepted <──> partially_filled ──> filled
      │            │            │                 │
      │            └─> staged   └────> rejected, cancelled, expired <┘
      └─> skipped                      (and straight from staged or submitted too)

``submitted`` goes back to ``staged`` when a run was cut off before the broker
received the order; a partly filled order reads ``accepted`` again while the broker
cancels the rest (``pending_cancel``). The final statuses never change again by our
own hand. The broker holds the truth of an order, though: when what it reports is a
change the table does not allow (a record says ``rejected``, the broker filled it),
the broker's word is written all the same, as a correction the store logs
(:func:`contradicts`).

A plan's life: ``staged`` becomes ``executing`` when ``trader execute --confirm``
starts, and ``executed`` when a run finishes (an interrupted run leaves it
``executing``, and the next run takes it on); or, without ever running, it is
``superseded`` by a newer plan, ``rejected`` from Telegram, or ``expired``.
"""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    STAGED = "staged"
    SUPERSEDED = "superseded"
    EXECUTING = "executing"
    EXECUTED = "executed"
    EXPIRED = "expired"
    REJECTED = "rejected"


class OrderStatus(StrEnum):
    STAGED = "staged"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SKIPPED = "skipped"


class OrderKind(StrEnum):
    """Why the plan made an order."""

    REBALANCE = "rebalance"
    HARVEST = "harvest"
    TRAILING_STOP = "trailing_stop"


_ENDED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED})
_WORKING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})

ORDER_CHANGES: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.STAGED: frozenset({OrderStatus.SUBMITTED, OrderStatus.SKIPPED, *_WORKING, *_ENDED}),
    OrderStatus.SUBMITTED: frozenset({OrderStatus.STAGED, *_WORKING, *_ENDED}),
    OrderStatus.ACCEPTED: frozenset({*_WORKING, *_ENDED}),
    OrderStatus.PARTIALLY_FILLED: frozenset(
        {*_WORKING, OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    ),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.SKIPPED: frozenset(),
}

PLAN_CHANGES: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.STAGED: frozenset(
        {PlanStatus.EXECUTING, PlanStatus.SUPERSEDED, PlanStatus.REJECTED, PlanStatus.EXPIRED}
    ),
    PlanStatus.EXECUTING: frozenset({PlanStatus.EXECUTED}),
    PlanStatus.EXECUTED: frozenset(),
    PlanStatus.SUPERSEDED: frozenset(),
    PlanStatus.REJECTED: frozenset(),
    PlanStatus.EXPIRED: frozenset(),
}

OPEN_ORDER_STATUSES = frozenset(
    {OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED}
)


class InvalidStatusChange(ValueError):
    """A change of status the life of a plan or an order does not allow: a bug."""


def check_order_change(before: str, after: str, where: str = "order") -> OrderStatus:
    """``after`` as an ``OrderStatus`` when an order may go there from ``before``
    (staying put is always allowed); else ``InvalidStatusChange``."""
    old, new = OrderStatus(before), OrderStatus(after)
    if new is not old and new not in ORDER_CHANGES[old]:
        raise InvalidStatusChange(f"{where}: an order cannot go from {old} to {new}")
    return new


def contradicts(before: str, after: str) -> bool:
    """Whether the broker reporting ``after`` contradicts our record of ``before``: a
    change no step of an order's life makes, so a correction, not a step."""
    old, new = OrderStatus(before), OrderStatus(after)
    return new is not old and new not in ORDER_CHANGES[old]


def check_plan_change(before: str, after: str, where: str = "plan") -> PlanStatus:
    """``after`` as a ``PlanStatus`` when a plan may go there from ``before`` (staying
    put is always allowed); else ``InvalidStatusChange``."""
    old, new = PlanStatus(before), PlanStatus(after)
    if new is not old and new not in PLAN_CHANGES[old]:
        raise InvalidStatusChange(f"{where}: a plan cannot go from {old} to {new}")
    return new
