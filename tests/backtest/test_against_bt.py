"""Cross-check with the ``bt`` library: a fixed-weight quarterly strategy, zero fees,
fractional shares, synthetic prices. The final equity agrees to 1e-9 relative."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import numpy as np
import pytest

from trader.backtest import PriceHistory, run_backtest
from trader.core.policy import Policy

bt = pytest.importorskip("bt", reason="bt is a test-only dependency: pip install -e '.[dev]'")
pd = pytest.importorskip("pandas")

WEIGHTS = {"AAA": 40, "BBB": 35, "CCC": 25}


def synthetic(days: int, seed: int) -> tuple[list[date], np.ndarray]:
    calendar: list[date] = []
    day = date(2015, 1, 2)
    while len(calendar) < days:
        if day.weekday() < 5:
            calendar.append(day)
        day += timedelta(days=1)
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0003, 0.015, (days, len(WEIGHTS)))
    return calendar, np.round(50 * np.exp(np.cumsum(steps, axis=0)), 2)  # prices in cents


@pytest.mark.parametrize("seed", [7, 11])
def test_quarterly_fixed_weights_match_bt(seed):
    days, closes = synthetic(800, seed)
    symbols = list(WEIGHTS)
    policy = Policy(
        target_allocation={s.lower(): w for s, w in WEIGHTS.items()},
        categories={s.lower(): (s,) for s in symbols},
    )
    ours = run_backtest(
        policy, PriceHistory(tuple(days), tuple(symbols), closes), ["quarterly"], capital=D(100000)
    ).runs[0]

    data = pd.DataFrame(closes, index=pd.DatetimeIndex(days), columns=symbols)
    strategy = bt.Strategy(
        "quarterly",
        [
            bt.algos.RunQuarterly(),
            bt.algos.SelectAll(),
            bt.algos.WeighSpecified(**{s: w / 100 for s, w in WEIGHTS.items()}),
            bt.algos.Rebalance(),
        ],
    )
    test = bt.Backtest(
        strategy, data, initial_capital=100000.0, integer_positions=False, progress_bar=False
    )
    bt.run(test)
    theirs = test.strategy.values.loc[pd.DatetimeIndex(days)].to_numpy()
    assert len(ours.rebalances) == 12  # 800 weekdays from 2015-01-02: 12 new quarters
    assert ours.equity[-1] == pytest.approx(theirs[-1], rel=1e-9, abs=0)
    assert np.allclose(ours.equity, theirs, rtol=1e-9, atol=0)
