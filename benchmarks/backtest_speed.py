"""Backtest speed: the project's backtest against ``bt`` on the same synthetic prices, and
all seven strategies on 50 assets.

1. 11 assets x 5,000 trading days: quarterly rebalancing and a 5% threshold band, ours
   and bt's, timed in the same run; the ratio is bt's time over ours (target: 50x).
2. 50 assets x 5,000 days: all seven strategies (target: under 1 s in total), in one
   process and with the strategies replayed side by side, one worker process per CPU (as
   ``trader backtest`` does by default); the target is judged on the latter, and the CPU
   count is printed with it.

Policies: equal targets, no reserve, no minimum trade, no trade cap, fractional shares
(what bt does); every decision still goes through ``plan_rebalance``.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from trader.app.backtest_pool import cpus, process_replay
from trader.backtest import STRATEGY_NAMES, PriceHistory, run_backtest
from trader.core.policy import Policy

SEED = 20240603
DAYS = 5_000


def synthetic(assets: int, days: int = DAYS, seed: int = SEED) -> PriceHistory:
    calendar: list[date] = []
    day = date(2000, 1, 3)
    while len(calendar) < days:
        if day.weekday() < 5:
            calendar.append(day)
        day += timedelta(days=1)
    rng = np.random.default_rng(seed)
    drift = rng.uniform(0.0001, 0.0006, assets)
    vol = rng.uniform(0.008, 0.025, assets)
    steps = rng.normal(drift, vol, (days, assets))
    closes = np.round(100 * np.exp(np.cumsum(steps, axis=0)), 2)
    symbols = tuple(f"S{i:02d}" for i in range(assets))
    return PriceHistory(tuple(calendar), symbols, closes)


def equal_policy(symbols: tuple[str, ...], drift: int = 5) -> Policy:
    count = len(symbols)
    base = Decimal(100) / count
    targets = [base.quantize(Decimal("0.0001"))] * count
    targets[-1] = Decimal(100) - sum(targets[:-1])
    return Policy(
        target_allocation={s.lower(): t for s, t in zip(symbols, targets, strict=True)},
        categories={s.lower(): (s,) for s in symbols},
        drift_threshold=drift,
    )


def best_of(runs: int, work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def bt_time(history: PriceHistory, policy: Policy, strategy: str) -> tuple[float, float]:
    import bt
    import pandas as pd

    data = pd.DataFrame(
        history.closes, index=pd.DatetimeIndex(history.days), columns=history.symbols
    )
    weights = {policy.categories[c][0]: float(t) / 100 for c, t in policy.target_allocation.items()}
    test = bt.Backtest(
        bt.Strategy(strategy, _bt_algos(bt, strategy, weights)),
        data,
        initial_capital=100_000.0,
        integer_positions=False,
        progress_bar=False,
    )
    start = time.perf_counter()
    bt.run(test)
    return time.perf_counter() - start, float(test.strategy.values.iloc[-1])


def _bt_algos(bt, strategy: str, weights: dict[str, float]) -> list:
    common = [bt.algos.SelectAll(), bt.algos.WeighSpecified(**weights)]
    if strategy == "quarterly":
        return [bt.algos.RunQuarterly(), *common, bt.algos.Rebalance()]
    # bt's band rule: RunIfOutOfBounds checks the weights against their targets each day
    # (a relative tolerance); 0.05 / target is 5 points absolute on every equal target.
    tolerance = 0.05 / max(weights.values())
    return [
        bt.algos.Or([bt.algos.RunOnce(), bt.algos.RunIfOutOfBounds(tolerance)]),
        *common,
        bt.algos.Rebalance(),
    ]


def main() -> int:
    status = 0
    history = synthetic(11)
    policy = equal_policy(history.symbols)
    print(f"11 assets x {DAYS} days (seed {SEED}), fractional shares, no fees")
    print(f"{'strategy':<11} {'ours':>9} {'bt':>9} {'ratio':>7}  rebalances  final (ours / bt)")
    for name in ("quarterly", "threshold"):
        ours, result = best_of(
            3, lambda n=name: run_backtest(policy, history, [n], capital=Decimal(100_000))
        )
        theirs, final = bt_time(history, policy, name)
        run = result.runs[0]
        ratio = theirs / ours
        print(
            f"{name:<11} {ours * 1000:>7.1f}ms {theirs * 1000:>7.0f}ms {ratio:>6.0f}x  "
            f"{len(run.rebalances):>10}  {run.equity[-1]:,.2f} / {final:,.2f}"
        )
        if ratio < 50:
            status = 1
    wide = synthetic(50)
    wide_policy = equal_policy(wide.symbols)
    money = Decimal(100_000)
    serial, result = best_of(
        3, lambda: run_backtest(wide_policy, wide, STRATEGY_NAMES, capital=money)
    )
    seconds, pooled = best_of(
        3,
        lambda: run_backtest(
            wide_policy, wide, STRATEGY_NAMES, capital=money, replay=process_replay()
        ),
    )
    same = all(
        np.array_equal(a.equity, b.equity) for a, b in zip(result.runs, pooled.runs, strict=True)
    )
    checks = sum(run.checks for run in result.runs)
    print(
        f"50 assets x {DAYS} days, all seven strategies: {seconds:.2f} s with {cpus()} CPU(s), "
        f"{serial:.2f} s in one process ({checks} engine decisions; target under 1 s; "
        f"same results: {same})"
    )
    for run in result.runs:
        print(f"  {run.strategy.name:<10} {len(run.rebalances):>5} rebalances, {run.checks} checks")
    if seconds >= 1 or not same:
        status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
