"""Two assets, a few days, numbers worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import numpy as np
import pytest

from trader.backtest import PriceHistory, run_backtest
from trader.backtest.strategies import Calendar, period_starts
from trader.core.domain import Side
from trader.core.policy import Policy

HALF_HALF = Policy(
    target_allocation={"stocks": 50, "bonds": 50},
    categories={"stocks": ("AAA", "AAX"), "bonds": ("BBB",)},  # AAX: never held (not primary)
    drift_threshold=5,
)


def history(days: list[date], a: list[float], b: list[float]) -> PriceHistory:
    return PriceHistory(tuple(days), ("AAA", "BBB"), np.array([a, b], dtype=float).T)


THREE_DAYS = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]


def test_threshold_rebalances_the_day_a_band_breaks():
    prices = history(THREE_DAYS, [10, 20, 20], [10, 10, 5])
    result = run_backtest(
        HALF_HALF, prices, ["buy_hold", "threshold"], capital=D(1000), cost_bps=D(0)
    )
    hold, threshold = result.runs
    # Day 0: 1,000 buys 50 AAA and 50 BBB at 10. Buy and hold: 1,000; 50x20 + 50x10 = 1,500;
    # 50x20 + 50x5 = 1,250.
    assert hold.equity.tolist() == [1000, 1500, 1250]
    assert hold.rebalances == ()
    # Day 1: AAA is 1,000 of 1,500 = 66.67%, 16.67 points over a 5-point band: back to
    # 750 each: sell 12.5 AAA ($250), buy 25 BBB ($250). Holdings 37.5 AAA, 75 BBB.
    first = threshold.rebalances[0]
    assert first.day == date(2024, 1, 3)
    assert first.orders == (("AAA", Side.SELL, D("12.5")), ("BBB", Side.BUY, D("25")))
    assert (first.sold, first.bought) == (D(250), D(250))
    # Day 2: 37.5x20 + 75x5 = 750 + 375 = 1,125; AAA 66.67% again: sell 9.375 AAA ($187.50),
    # buy 37.5 BBB ($187.50).
    second = threshold.rebalances[1]
    assert second.orders == (("AAA", Side.SELL, D("9.375")), ("BBB", Side.BUY, D("37.5")))
    assert threshold.equity.tolist() == [1000, 1500, 1125]
    # Turnover: (500 + 375) / 2 = 437.5 traded one way, over the mean equity 1,208.33.
    metrics = result.metrics[1]
    assert metrics.rebalances == 2
    years = 2 / 365.25
    assert metrics.turnover_per_year == pytest.approx(437.5 / (3625 / 3) / years)


def test_quarterly_waits_for_the_first_trading_day_of_the_quarter():
    days = [date(2024, 3, 27), date(2024, 3, 28), date(2024, 4, 1), date(2024, 4, 2)]
    prices = history(days, [10, 20, 20, 10], [10, 10, 10, 10])
    result = run_backtest(HALF_HALF, prices, ["annual", "quarterly"], capital=D(1000))
    annual, quarterly = result.runs
    # No rebalance on March 28 (same quarter) although AAA is 66.67%; on April 1 the 1,500
    # goes back to 750 each: 37.5 AAA, 75 BBB; then AAA halves: 375 + 750 = 1,125.
    assert [d.day for d in quarterly.rebalances] == [date(2024, 4, 1)]
    assert quarterly.equity.tolist() == [1000, 1500, 1500, 1125]
    # Annual: no new year, so buy and hold: 50x10 + 50x10 = 1,000 on the last day.
    assert annual.rebalances == () and annual.equity[-1] == 1000


def test_period_starts_are_the_first_trading_days_of_each_later_period():
    days = [
        date(2023, 11, 30),
        date(2023, 12, 29),
        date(2024, 1, 3),  # 2: a new year, quarter and month
        date(2024, 1, 4),
        date(2024, 2, 1),  # 4: a new month
        date(2024, 8, 5),  # 5: no close from February to August, so one start for all
        date(2025, 1, 2),  # 6
    ]
    assert period_starts(days, Calendar.ANNUAL) == [2, 6]
    assert period_starts(days, Calendar.QUARTERLY) == [2, 5, 6]
    assert period_starts(days, Calendar.MONTHLY) == [1, 2, 4, 5, 6]
    assert period_starts(days[:1], Calendar.MONTHLY) == []
    assert period_starts(days, Calendar.DAILY_BANDS) == []


def test_band_edge_trades_back_to_one_cent_inside_the_edge():
    prices = history(THREE_DAYS[:2], [10, 20], [10, 10])
    (run,) = run_backtest(HALF_HALF, prices, ["band_edge"], capital=D(1000)).runs
    # Day 1: 1,500 invested; the 5-point band's edge is 75 from the 750 target: AAA goes to
    # 750 + 74.99 = 824.99, so 1,000 - 824.99 = 175.01 is sold (8.7505 AAA) and bought (17.501 BBB).
    (decision,) = run.rebalances
    assert decision.orders == (("AAA", Side.SELL, D("8.7505")), ("BBB", Side.BUY, D("17.501")))
    assert decision.sold == D("175.01")


def test_costs_are_paid_from_cash_on_every_trade():
    prices = history(THREE_DAYS[:2], [10, 20], [10, 10])
    policy = Policy(
        target_allocation={"stocks": 50, "bonds": 50},
        categories={"stocks": ("AAA",), "bonds": ("BBB",)},
        cash_reserve=10,
    )
    result = run_backtest(policy, prices, ["threshold"], capital=D(1010), cost_bps=D(10))
    (run,) = result.runs
    # Day 0: 1,000 invested (the 10 reserve kept), 10 bp of 1,000 = 1.00 paid: equity 1,009.
    assert run.initial.cost == D("1.000")
    assert run.equity[0] == pytest.approx(1009)
    (decision,) = run.rebalances
    traded = decision.bought + decision.sold
    assert decision.cost == traded * D("0.001")
    # Day 1: 9 cash + 50x20 + 50x10 = 1,509, less that day's cost.
    assert run.equity[1] == pytest.approx(1509 - float(decision.cost))
    assert result.metrics[0].total_costs == D("1.000") + decision.cost


def test_metrics_of_a_known_curve():
    days = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4), date(2024, 1, 5)]
    # Buy and hold of AAA alone: 100 -> 120 -> 90 -> 110 (a 25% drawdown from 120 to 90).
    policy = Policy(target_allocation={"stocks": 100}, categories={"stocks": ("AAA",)})
    prices = PriceHistory(tuple(days), ("AAA",), np.array([[100.0], [120.0], [90.0], [110.0]]))
    (metrics,) = run_backtest(policy, prices, ["buy_hold"], capital=D(1000)).metrics
    assert metrics.drawdown.depth == pytest.approx(-0.25)
    assert (metrics.drawdown.peak, metrics.drawdown.trough) == (days[1], days[2])
    assert metrics.drawdown.recovered is None
    assert metrics.final_equity == pytest.approx(1100)
    assert metrics.cagr is None  # 3 days: annualised it would be 1.1 ** (365.25 / 3) - 1
    returns = np.array([0.2, -0.25, 110 / 90 - 1])
    assert metrics.volatility == pytest.approx(np.std(returns, ddof=1) * np.sqrt(252))
    assert metrics.sharpe == pytest.approx(returns.mean() * 252 / metrics.volatility)
