"""Replaying backtest strategies side by side in worker processes.

An adapter around the pure backtest: :func:`~trader.backtest.run_backtest` takes a
``replay`` that maps one strategy's replay over the strategies, and this one hands each
strategy to a worker process (forked, so nothing is imported again). The strategies are
independent of each other, so the results are exactly those of a plain ``map``; only the
wall-clock time changes, by up to the number of CPUs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from trader.backtest.runner import Replay
from trader.backtest.simulate import StrategyRun
from trader.backtest.strategies import Strategy

# The strategies that usually ask the engine most often are handed out first, so that the
# workers finish at about the same time (band rules on narrow bands decide on hundreds of
# days, buy and hold on none).
BUSIEST_FIRST = ("relative", "band_edge", "monthly", "threshold", "quarterly", "annual")


def cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _busy_rank(strategy: Strategy) -> int:
    name = strategy.name
    return BUSIEST_FIRST.index(name) if name in BUSIEST_FIRST else len(BUSIEST_FIRST)


def process_replay(workers: int | None = None) -> Replay:
    """A ``replay`` that runs the strategies in up to ``workers`` processes (default: one
    per CPU); with one CPU, one strategy, or no ``fork`` on this system, a plain map. If
    the processes cannot be started or one dies (the system refused, or ran out of
    memory), the strategies are replayed in this process instead: slower, same results."""

    def replay(
        one: Callable[[Strategy], StrategyRun], strategies: Sequence[Strategy]
    ) -> list[StrategyRun]:
        count = min(workers or cpus(), len(strategies))
        if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return [one(s) for s in strategies]
        order = sorted(range(len(strategies)), key=lambda i: _busy_rank(strategies[i]))
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
                futures = {i: pool.submit(one, strategies[i]) for i in order}
                return [futures[i].result() for i in range(len(strategies))]
        except (BrokenProcessPool, OSError):
            return [one(s) for s in strategies]

    return replay
