"""A sim on an ephemeral port and alpaca-py's own clients pointed at it (real HTTP, no mocks)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from alpaca.data.historical.stock import StockHistoricalDataClient
from alpaca.trading.client import TradingClient

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer


@dataclass
class Clients:
    server: SimServer
    trading: TradingClient
    data: StockHistoricalDataClient

    @property
    def controls(self):
        return self.server.controls


def make_clients(server: SimServer, key: str = SIM_KEY_ID, secret: str = SIM_SECRET_KEY) -> Clients:
    trading = TradingClient(key, secret, paper=True, url_override=server.url)
    data = StockHistoricalDataClient(key, secret, url_override=server.url)
    for client in (trading, data):
        # alpaca-py retries 429 and 504 three times with 3 s sleeps; tests see the first answer.
        client._retry = 0
    return Clients(server, trading, data)


@pytest.fixture
def sim():
    with SimServer() as server:
        yield make_clients(server)


@pytest.fixture
def empty_sim():
    with SimServer(scenario="empty") as server:
        yield make_clients(server)
