"""What a replay is worth: return, risk and trading, from the daily equity curve.

- **CAGR**: ``(last / first) ** (1 / years) - 1``, years = calendar days / 365.25, from
  the first close (just after the initial purchase) to the last.
- **Volatility**: standard deviation of daily returns (ddof 1) times sqrt(252).
- **Sharpe**: (mean daily return - risk-free / 252) * 252 / volatility; the risk-free
  rate is an annual percent given by the user (default 0).
- **Max drawdown**: the deepest fall from a running peak, with the peak's day, the
  trough's day and the day the old peak was regained (None when it never was).
- **Turnover per year**: half of everything bought and sold after the first day
  (so a full swap of 10% of the account counts 10%), over the average equity, per year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from trader.backtest.simulate import StrategyRun

TRADING_DAYS_PER_YEAR = 252
DAYS_PER_YEAR = 365.25
MIN_ANNUALISED_DAYS = 30  # below a month of calendar days, a CAGR is not computed at all


@dataclass(frozen=True, slots=True)
class Drawdown:
    depth: float  # a fraction, negative or zero
    peak: date
    trough: date
    recovered: date | None


@dataclass(frozen=True, slots=True)
class Metrics:
    strategy: str
    start_equity: float
    final_equity: float
    cagr: float | None  # fractions: 0.05 is 5%; None for a period shorter than a month
    volatility: float
    sharpe: float | None  # None when volatility is zero
    drawdown: Drawdown
    rebalances: int
    checks: int
    turnover_per_year: float
    total_costs: Decimal


def max_drawdown(equity: np.ndarray, days: tuple[date, ...]) -> Drawdown:
    """The deepest peak-to-trough fall of ``equity``, and when it happened and ended."""
    peaks = np.maximum.accumulate(equity)
    falls = equity / peaks - 1.0
    trough = int(np.argmin(falls))
    depth = float(falls[trough])
    if depth >= 0.0:
        return Drawdown(0.0, days[0], days[0], days[0])
    peak = int(np.argmax(equity[: trough + 1]))
    after = np.flatnonzero(equity[trough:] >= equity[peak])
    recovered = days[trough + int(after[0])] if after.size else None
    return Drawdown(depth, days[peak], days[trough], recovered)


def measure_run(run: StrategyRun, risk_free_pct: float = 0.0) -> Metrics:
    """The figures of one replay."""
    equity = run.equity
    days = run.days
    years = (days[-1] - days[0]).days / DAYS_PER_YEAR
    cagr: float | None = None
    if (days[-1] - days[0]).days >= MIN_ANNUALISED_DAYS:
        cagr = float((equity[-1] / equity[0]) ** (1.0 / years) - 1.0)
    returns = equity[1:] / equity[:-1] - 1.0
    volatility = (
        float(np.std(returns, ddof=1)) * math.sqrt(TRADING_DAYS_PER_YEAR)
        if returns.size > 1
        else 0.0
    )
    excess = float(np.mean(returns)) - risk_free_pct / 100.0 / TRADING_DAYS_PER_YEAR
    sharpe = excess * TRADING_DAYS_PER_YEAR / volatility if volatility > 0 else None
    traded = sum(float(d.bought + d.sold) for d in run.rebalances)
    turnover = traded / 2.0 / float(np.mean(equity)) / years if years > 0 else 0.0
    return Metrics(
        strategy=run.strategy.name,
        start_equity=float(equity[0]),
        final_equity=float(equity[-1]),
        cagr=cagr,
        volatility=volatility,
        sharpe=sharpe,
        drawdown=max_drawdown(equity, days),
        rebalances=len(run.rebalances),
        checks=run.checks,
        turnover_per_year=turnover,
        total_costs=run.total_costs,
    )
