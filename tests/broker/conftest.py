"""A local paper broker on an ephemeral port and the project's adapter pointed at it."""

from __future__ import annotations

import pytest

from trader.broker.alpaca import AlpacaBroker, Connection
from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer


@pytest.fixture
def sim():
    with SimServer() as server:
        yield server


def make_broker(url: str, **overrides) -> AlpacaBroker:
    settings = {
        "key_id": SIM_KEY_ID,
        "secret_key": SIM_SECRET_KEY,
        "trading_url": url,
        "data_url": url,
        "timeout_seconds": 2.0,
        "max_retries": 3,
    }
    settings.update(overrides)
    return AlpacaBroker(Connection(**settings), retry_wait=0.01)


@pytest.fixture
def broker(sim):
    return make_broker(sim.url)
