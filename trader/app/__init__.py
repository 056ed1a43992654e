"""The application layer: the use cases ``sync``, ``plan``, ``execute``, ``run`` and
``backtest``, between the command line (which only parses and renders) and the pure
core (``trader.core``: the engine, lots, schedules) with its adapters around it
(``trader.broker``, ``trader.store``, ``trader.adapters``, ``trader.price_history``,
``trader.telegram``). ``trader bot`` and the CLI call the same functions here.
"""
