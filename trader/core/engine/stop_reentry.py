"""The wait after a trailing stop: a symbol its stop sold is not bought again for
``stop_reentry_days`` (the portfolio's ``stopped`` holds the day each was last sold).

While it waits the symbol is blocked like a wash-sale window blocks one: its category
buys its other symbols, else keeps the cash; the plan says which.
"""

from __future__ import annotations

from datetime import date, timedelta

from trader.core.engine.targets import buy_symbol
from trader.core.policy import Policy, Portfolio


def reentry_waits(policy: Policy, portfolio: Portfolio) -> dict[str, tuple[date, date]]:
    """Symbols a trailing stop sold less than ``stop_reentry_days`` ago: (sold, until)."""
    if portfolio.today is None or not policy.stop_reentry_days:
        return {}
    wait = timedelta(days=policy.stop_reentry_days)
    return {
        symbol: (day, day + wait)
        for symbol, day in sorted(portfolio.stopped.items())
        if portfolio.today < day + wait
    }


def reentry_reason(policy: Policy, sold: date, until: date) -> str:
    return (
        f"sold by its trailing stop on {sold.isoformat()}: not bought again before "
        f"{until.isoformat()} (risk_management.stop_reentry_days: {policy.stop_reentry_days})"
    )


def reentry_warnings(policy: Policy, portfolio: Portfolio, blocked: dict[str, str]) -> list[str]:
    """Where the target of a symbol waiting after its stop goes: its category's other
    symbols, else the cash."""
    warnings = []
    for symbol, (sold, until) in reentry_waits(policy, portfolio).items():
        category = policy.category_of(symbol)
        if category is None:
            continue
        other = buy_symbol(policy, portfolio, category, frozenset(blocked))
        where = (
            f"'{category}' buys {other} instead"
            if other is not None
            else f"'{category}' keeps its share in cash until then"
        )
        warnings.append(f"{symbol}: {reentry_reason(policy, sold, until)}; {where}")
    return warnings
