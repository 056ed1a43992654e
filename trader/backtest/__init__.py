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

from trader.backtest.metrics import Drawdown, Metrics, measure_run
from trader.backtest.prices import Gap, PreparedPrices, PriceHistory, prepare
from trader.backtest.runner import Backtest, honesty_notes, primary_symbols, run_backtest
from trader.backtest.simulate import Decision, StrategyRun, simulate
from trader.backtest.strategies import STRATEGY_NAMES, Strategy, parse_strategies, strategy

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
    "simulate",
    "strategy",
]
