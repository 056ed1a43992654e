"""The quantity problem, as the planner states it: per symbol a price, a holding, a target
value, a step (one share, or a fraction of one) and a cap; for all of them a budget, a
minimum trade, a trade cap and the directions allowed. ``whole_shares.solve_shares``
solves it fast, ``reference.reference_solve`` plainly (the spec), and the plan-quality
benchmark with an exact integer program.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from trader.core.money import ZERO

WHOLE = Decimal(1)


class ShareTarget(NamedTuple):
    """One symbol of the quantity problem (checked by the :class:`ShareProblem` that holds
    it: a plan builds one per symbol per decision, thousands in a backtest, and a tuple is
    made several times faster than a frozen dataclass)."""

    symbol: str
    price: Decimal
    held: Decimal
    target_value: Decimal
    step: Decimal = WHOLE
    max_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ShareProblem:
    targets: tuple[ShareTarget, ...]
    budget: Decimal
    min_trade: Decimal = ZERO
    max_trades: int | None = None
    sells_allowed: bool = True
    buys_allowed: bool = True

    def __post_init__(self) -> None:
        for t in self.targets:
            if not t.price > ZERO:
                raise ValueError(f"{t.symbol}: price must be positive")
            if t.held < ZERO:
                raise ValueError(f"{t.symbol}: negative holding")
            if not t.step > ZERO:
                raise ValueError(f"{t.symbol}: step must be positive")
        if self.min_trade < ZERO:
            raise ValueError("min_trade must not be negative")
        if self.max_trades is not None and self.max_trades < 0:
            raise ValueError("max_trades must not be negative")


def deviation(problem: ShareProblem, deltas: tuple[Decimal, ...]) -> Decimal:
    """The remaining deviation of a solution: sum of |value after - target value|."""
    return sum(
        (
            abs((t.held + d) * t.price - t.target_value)
            for t, d in zip(problem.targets, deltas, strict=True)
        ),
        ZERO,
    )
