"""Strategies replayed in worker processes give exactly what a plain map gives."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from trader.app.backtest_pool import process_replay
from trader.backtest import STRATEGY_NAMES, PriceHistory, run_backtest
from trader.backtest.strategies import strategy
from trader.core.policy import Policy

POLICY = Policy(
    target_allocation={"stocks": 40, "bonds": 30, "gold": 20, "cash": 10},
    categories={"stocks": ("AAA",), "bonds": ("BBB",), "gold": ("CCC",), "cash": ()},
    leverage={"CCC": 2},
    drift_threshold=4,
    relative_threshold=20,
    cash_reserve=Decimal(500),
    min_trade_dollars=Decimal(50),
    max_trades_per_session=2,
    fractional_shares=False,
    max_single_position=45,
    tax_equivalents={"AAA": ("AAX",)},
)


def random_walks(days: int = 400, seed: int = 7) -> PriceHistory:
    calendar = [date(2020, 1, 1) + timedelta(days=i) for i in range(days)]
    rng = np.random.default_rng(seed)
    closes = np.round(50 * np.exp(np.cumsum(rng.normal(0.0003, 0.02, (days, 3)), axis=0)), 2)
    return PriceHistory(tuple(calendar), ("AAA", "BBB", "CCC"), closes)


def test_a_policy_survives_pickling_whole():
    copy = pickle.loads(pickle.dumps(POLICY))
    assert copy == POLICY
    assert dict(copy.owners) == dict(POLICY.owners)
    assert dict(copy.bands) == dict(POLICY.bands)
    assert copy.leverage == {"CCC": Decimal(2)}


def test_worker_processes_change_nothing_but_the_time():
    history = random_walks()
    kwargs = {"capital": Decimal(25_000), "cost_bps": Decimal(5)}
    plain = run_backtest(POLICY, history, STRATEGY_NAMES, **kwargs)
    pooled = run_backtest(POLICY, history, STRATEGY_NAMES, replay=process_replay(2), **kwargs)
    assert [r.strategy.name for r in pooled.runs] == list(STRATEGY_NAMES)
    assert sum(len(r.rebalances) for r in plain.runs) > 10  # the policy really trades
    for mine, theirs in zip(plain.runs, pooled.runs, strict=True):
        assert np.array_equal(mine.equity, theirs.equity)
        assert mine.rebalances == theirs.rebalances
        assert mine.initial == theirs.initial
        assert mine.warnings == theirs.warnings
    assert plain.metrics == pooled.metrics


def test_one_worker_is_a_plain_map():
    history = random_walks(days=60)
    run = run_backtest(
        POLICY, history, ["quarterly"], capital=Decimal(10_000), replay=process_replay(1)
    )
    assert len(run.runs) == 1


def _dies_in_a_worker(strategy):
    import os

    if os.getpid() != PARENT:
        os._exit(9)  # a worker killed, as by the system running out of memory
    return strategy.name


PARENT = 0


def test_a_dead_worker_falls_back_to_this_process():
    global PARENT
    import os

    PARENT = os.getpid()
    strategies = [strategy(n, POLICY) for n in ("relative", "annual", "monthly")]
    assert process_replay(2)(_dies_in_a_worker, strategies) == ["relative", "annual", "monthly"]
