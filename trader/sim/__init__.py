"""An Alpaca-compatible local paper broker: the project's sim.

``SimServer`` speaks enough of Alpaca's Trading API v2 and Market Data API v2 that
alpaca-py's ``TradingClient(key, secret, paper=True, url_override=url)`` and
``StockHistoricalDataClient(key, secret, url_override=url)`` work against it
unchanged. It keeps its own clock and NYSE calendar and its own prices, both of
which move only when told (``server.controls`` or ``/sim/...``), applies the real
broker's order rules with its status codes and messages, and can misbehave on
purpose (failures, rate limits, latency, dropped answers) for tests.

Layout: ``server`` (HTTP, auth, faults, logging) dispatches through ``routing`` to
``handlers_trading``, ``handlers_reference``, ``handlers_data`` and
``handlers_sim``; these work on ``state`` under the lock held by ``app``, with
``rules`` (validation), ``engine`` (fills, time), ``history`` (bars),
``trading_calendar``, ``assets``, ``scenarios``, ``persistence`` and ``serialize``.
"""

from trader.sim.scenarios import DEFAULT_SCENARIO, SCENARIOS, Scenario
from trader.sim.server import SIM_KEY_ID, SIM_SECRET_KEY, SimServer

__all__ = [
    "DEFAULT_SCENARIO",
    "SCENARIOS",
    "SIM_KEY_ID",
    "SIM_SECRET_KEY",
    "Scenario",
    "SimServer",
]
