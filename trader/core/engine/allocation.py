"""Where the portfolio stands against its targets: allocation, drift, bands and whether to act.

Every percentage is of the investable value (equity minus the cash reserve). A
category's value is the market value of its symbols; the ``cash`` category, when the
policy has one, is the cash above the reserve. Drift is current minus target, in
percentage points. A category is out of band only when its drift is *strictly*
beyond the band's half width (5.00 points on a 5-point band holds); with both an
absolute and a relative band, the narrower one is hit first and decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from trader.core.money import ZERO
from trader.core.policy import CASH_CATEGORY, HUNDRED, Policy, Portfolio, RebalanceMethod


class Action(StrEnum):
    BUY = "BUY"
    SELL = "SELL"
    HOLD = "HOLD"


class AllocationRow(NamedTuple):
    """One line of the allocation table, as the review shows it (checked by the
    :class:`Allocation` that holds it: a tuple is made several times faster than a frozen
    dataclass, and the backtest measures thousands of portfolios)."""

    category: str
    target_pct: Decimal
    current_pct: Decimal
    drift_pct: Decimal
    action: Action
    current_value: Decimal
    target_value: Decimal
    band_pct: Decimal

    @property
    def out_of_band(self) -> bool:
        return self.action is not Action.HOLD


@dataclass(frozen=True, slots=True)
class Allocation:
    """The whole table plus the totals it was computed from."""

    equity: Decimal
    investable: Decimal
    rows: tuple[AllocationRow, ...]
    uncategorised: tuple[str, ...]

    def __post_init__(self) -> None:
        for row in self.rows:
            if row.band_pct < ZERO:
                raise ValueError(f"{row.category}: band must not be negative")

    def row(self, category: str) -> AllocationRow:
        for row in self.rows:
            if row.category == category:
                return row
        raise KeyError(category)


def category_values(
    policy: Policy, portfolio: Portfolio, worth: list[Decimal]
) -> dict[str, Decimal]:
    """Market value per category, from each holding's value (``worth``, in the order of the
    holdings); the cash category is the cash above the reserve."""
    values = dict.fromkeys(policy.target_allocation, ZERO)
    owners = policy.owners
    for holding, value in zip(portfolio.holdings, worth, strict=True):
        category = owners.get(holding.symbol)
        if category is not None:
            values[category] += value
    if CASH_CATEGORY in values:
        values[CASH_CATEGORY] = portfolio.cash - policy.cash_reserve
    return values


def measure(policy: Policy, portfolio: Portfolio) -> Allocation:
    """The allocation table of a portfolio under a policy."""
    # Each holding's value once, for the equity and the categories alike (the backtest
    # measures thousands of portfolios): the same Decimals, summed in the same order.
    worth = [h.qty * h.price for h in portfolio.holdings]
    equity = portfolio.cash + sum(worth, ZERO)
    investable = equity - policy.cash_reserve
    values = category_values(policy, portfolio, worth)
    bands = policy.bands
    rows = []
    if investable > ZERO:
        sell, buy, hold = Action.SELL, Action.BUY, Action.HOLD
        for category, target in policy.target_allocation.items():
            value = values[category]
            band = bands[category]
            current = value / investable * HUNDRED
            drift = current - target
            # SELL above the band, BUY below it, HOLD inside or exactly on its edge
            action = sell if drift > band else buy if drift < -band else hold
            rows.append(
                AllocationRow(
                    category,
                    target,
                    current,
                    drift,
                    action,
                    value,
                    investable * target / HUNDRED,
                    band,
                )
            )
    else:
        for category, target in policy.target_allocation.items():
            rows.append(
                AllocationRow(
                    category,
                    target,
                    ZERO,
                    ZERO,
                    Action.HOLD,
                    values[category],
                    ZERO,
                    bands[category],
                )
            )
    owners = policy.owners
    uncategorised: tuple[str, ...] = ()
    if not portfolio.positions.keys() <= owners.keys():  # else every holding has a category
        uncategorised = tuple(
            h.symbol for h in portfolio.holdings if h.qty > ZERO and h.symbol not in owners
        )
    return Allocation(equity, investable, tuple(rows), uncategorised)


def is_due(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> bool:
    """Threshold: any category out of band. Calendar: the schedule says so. Hybrid: both."""
    hold = Action.HOLD
    drifted = any(row.action is not hold for row in allocation.rows)
    if policy.method is RebalanceMethod.THRESHOLD:
        return drifted
    if policy.method is RebalanceMethod.CALENDAR:
        return portfolio.calendar_due
    return drifted and portfolio.calendar_due


def after_trades(
    rows: tuple[AllocationRow, ...], investable: Decimal, changes: Mapping[str, Decimal]
) -> tuple[AllocationRow, ...]:
    """The table once each category's value has changed by ``changes`` (dollars; the cash
    category by the change in cash). Trades at the estimated prices move value between the
    categories and cash, so the investable value, the targets and the bands stay."""
    if investable <= ZERO:
        return rows
    after = []
    sell, buy, hold = Action.SELL, Action.BUY, Action.HOLD
    for row in rows:
        value = row.current_value + changes.get(row.category, ZERO)
        current = value / investable * HUNDRED
        drift = current - row.target_pct
        band = row.band_pct
        action = sell if drift > band else buy if drift < -band else hold
        after.append(
            row._replace(current_pct=current, drift_pct=drift, action=action, current_value=value)
        )
    return tuple(after)
