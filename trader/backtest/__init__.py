"""The backtest: the user's policy replayed over daily closes, pure like the engine.

Nothing here reads a file, a database or the network: prices come in as a
:class:`PriceHistory` (the adapters in ``trader.price_history`` read them from a CSV file
or from the broker's data API through the store's cache) and results go out as values.
Every trade is decided by ``trader.core.engine.plan_rebalance``, the code behind
``trader plan``; numpy values the portfolio between decisions.

Modules: ``prices`` (alignment, later starts, gaps), ``strategies`` (the seven),
``simulate`` (one replay), ``metrics`` (CAGR, risk, drawdown, turnover), ``runner``
(all of it, and the honesty notes).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trader.backtest.metrics import Drawdown, Metrics, measure_run
    from trader.backtest.names import STRATEGY_NAMES
    from trader.backtest.prices import Gap, PreparedPrices, PriceHistory, prepare
    from trader.backtest.runner import Backtest, honesty_notes, primary_symbols, run_backtest
    from trader.backtest.simulate import Decision, StrategyRun
    from trader.backtest.strategies import Strategy, parse_strategies, strategy

# Each name and the module it lives in, imported on first use: the backtest's names then
# come without numpy. ``simulate`` is not among them: the module of that name would shadow
# the function once it is imported.
_HOMES = {
    "STRATEGY_NAMES": "names",
    "Backtest": "runner",
    "Decision": "simulate",
    "Drawdown": "metrics",
    "Gap": "prices",
    "Metrics": "metrics",
    "PreparedPrices": "prices",
    "PriceHistory": "prices",
    "Strategy": "strategies",
    "StrategyRun": "simulate",
    "honesty_notes": "runner",
    "measure_run": "metrics",
    "parse_strategies": "strategies",
    "prepare": "prices",
    "primary_symbols": "runner",
    "run_backtest": "runner",
    "strategy": "strategies",
}

__all__ = [
    "STRATEGY_NAMES",
    "Backtest",
    "Decision",
    "Drawdown",
    "Gap",
    "Metrics",
    "PreparedPrices",
    "PriceHistory",
    "Strategy",
    "StrategyRun",
    "honesty_notes",
    "measure_run",
    "parse_strategies",
    "prepare",
    "primary_symbols",
    "run_backtest",
    "strategy",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
