"""The seven rebalancing strategies, each the user's own policy with one rule changed.

Every strategy keeps the config's rules (cash reserve, minimum trade, trade cap,
position and leverage caps, whole or fractional shares) and differs only in *when* the
engine is asked and *how far* it trades back:

=========== ======================================================================
buy_hold    invest at target on the first day, never rebalance
annual      back to target on the first trading day of each year
quarterly   back to target on the first trading day of each quarter
monthly     back to target on the first trading day of each month
threshold   each day; when a category drifts beyond ``drift_threshold`` (absolute)
relative    the 5/25 rule: the absolute band, or ``relative_threshold`` percent of
            the target (the config's, else 25) when that is narrower
band_edge   threshold, but trade only back to the band's edge
=========== ======================================================================

The backtest holds each category through its primary symbol (the first listed), with
no tax lots: tax-loss harvesting, trailing stops and scores are switched off.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from trader.backtest.names import STRATEGY_NAMES
from trader.core.policy import CASH_CATEGORY, CashFlowMode, Policy, RebalanceMethod, RebalanceTo

DEFAULT_RELATIVE_THRESHOLD = Decimal(25)


class Calendar(StrEnum):
    NEVER = "never"
    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    DAILY_BANDS = "daily_bands"  # checked every day, acted on when out of band


PERIOD_MONTHS = {  # how many months each calendar period lasts
    Calendar.ANNUAL: 12,
    Calendar.QUARTERLY: 3,
    Calendar.MONTHLY: 1,
}


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    description: str
    calendar: Calendar
    policy: Policy  # what the engine is given on a decision day


SWITCHED_OFF = (
    "tax-loss harvesting, trailing stops and scores are off in the backtest (it keeps no tax "
    "lots); each category is held through its primary symbol; every rebalance is the full "
    "one (cash_flow is not applied: the backtest has no deposits or withdrawals)"
)


def backtest_policy(policy: Policy) -> Policy:
    """The user's policy as the backtest applies it: primaries only, no lot-based rules."""
    primaries = {
        name: symbols[:1] for name, symbols in policy.categories.items() if name != CASH_CATEGORY
    }
    return replace(
        policy,
        categories=primaries,
        tax_loss_harvesting=False,
        trailing_stop=None,
        prefer_etfs_with_score_above=None,
        tax_equivalents={},
        cash_flow=CashFlowMode.FULL,
    )


def initial_policy(policy: Policy) -> Policy:
    """The first day's purchase: everything to target, in as many orders as it takes.

    The trade cap is lifted for this one funding of the account only, so that every
    strategy starts fully invested at target; every later decision keeps it.
    """
    return replace(
        policy,
        method=RebalanceMethod.CALENDAR,
        rebalance_to=RebalanceTo.TARGET,
        max_trades_per_session=None,
    )


def strategy(name: str, policy: Policy) -> Strategy:
    """The named strategy on ``policy`` (already the backtest's policy)."""
    calendar_policy = replace(policy, method=RebalanceMethod.CALENDAR)
    band = replace(
        policy,
        method=RebalanceMethod.THRESHOLD,
        relative_threshold=None,
        rebalance_to=RebalanceTo.TARGET,
    )
    absolute = f"{policy.drift_threshold}-point band"
    if name == "buy_hold":
        return Strategy(name, "invest once at target, never rebalance", Calendar.NEVER, policy)
    if name in ("annual", "quarterly", "monthly"):
        period = {"annual": "year", "quarterly": "quarter", "monthly": "month"}[name]
        return Strategy(
            name,
            f"back to target on the first trading day of each {period}",
            Calendar(name),
            calendar_policy,
        )
    if name == "threshold":
        return Strategy(
            name, f"back to target when out of the {absolute}", Calendar.DAILY_BANDS, band
        )
    if name == "relative":
        relative = policy.relative_threshold or DEFAULT_RELATIVE_THRESHOLD
        return Strategy(
            name,
            f"back to target when out of the {absolute} or {relative}% of the target",
            Calendar.DAILY_BANDS,
            replace(band, relative_threshold=relative),
        )
    if name == "band_edge":
        return Strategy(
            name,
            f"back to the band's edge when out of the {absolute}",
            Calendar.DAILY_BANDS,
            replace(band, rebalance_to=RebalanceTo.BAND_EDGE),
        )
    raise ValueError(f"unknown strategy {name!r}: choose from {', '.join(STRATEGY_NAMES)}")


def parse_strategies(text: str) -> tuple[str, ...]:
    """``"annual, threshold"`` -> ``("annual", "threshold")``; unknown names raise."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in STRATEGY_NAMES]
    if unknown or not names:
        raise ValueError(
            f"unknown strategy {', '.join(unknown) or '(none given)'}: choose from "
            f"{', '.join(STRATEGY_NAMES)}"
        )
    return names


def period_starts(days: Sequence[date], calendar: Calendar) -> list[int]:
    """Indices of the first trading day of each period after the first day's period.

    ``days`` are increasing, so the first trading day of a period is where its first
    calendar day would be inserted: one bisection per period (a few dozen) instead of a
    look at every day (thousands). A period without a trading day would point at the next
    period's start, which is kept once.
    """
    months = PERIOD_MONTHS.get(calendar)
    if months is None or not days:
        return []
    first, last = _period(days[0], months), _period(days[-1], months)
    starts = (bisect_left(days, _period_start(p, months)) for p in range(first + 1, last + 1))
    return list(dict.fromkeys(starts))


def _period(day: date, months: int) -> int:
    """The number of the ``months``-long period ``day`` falls in, counted from year 0."""
    return (day.year * 12 + day.month - 1) // months


def _period_start(period: int, months: int) -> date:
    """The first calendar day of period number ``period`` (see :func:`_period`)."""
    year, month = divmod(period * months, 12)
    return date(year, month + 1, 1)
