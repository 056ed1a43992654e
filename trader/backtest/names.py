"""The seven strategies' names, in the order the results show them.

A module of their own: ``trader backtest --help`` lists them, and must not load the
backtest (or the engine behind it) to do so.
"""

STRATEGY_NAMES = (
    "buy_hold",
    "annual",
    "quarterly",
    "monthly",
    "threshold",
    "relative",
    "band_edge",
)
