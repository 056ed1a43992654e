"""A state file carries the sim account from one SimServer (one CLI command) to the next."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest

from trader.sim import SimServer

from .conftest import make_clients


def test_two_servers_on_one_state_file_see_the_same_account(tmp_path):
    path = tmp_path / "sim-state.json"
    with SimServer(state_path=path) as first:
        clients = make_clients(first)
        clients.trading.submit_order(
            MarketOrderRequest(
                symbol="XLF", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        working = clients.trading.submit_order(
            LimitOrderRequest(
                symbol="XLV",
                qty=1,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.GTC,
                limit_price=140,
            )
        )
        first.controls.set_prices({"XLV": "150.00"})
        first.controls.advance(minutes=45)
        before = clients.trading.get_account()
        fills_before = clients.trading.get("/account/activities/FILL", {"page_size": 100})
    assert path.exists()
    with SimServer(state_path=path) as second:
        clients = make_clients(second)
        assert clients.trading.get_account() == before
        assert clients.trading.get("/account/activities/FILL", {"page_size": 100}) == fills_before
        assert clients.trading.get_open_position("XLF").qty == "24.5"
        assert clients.trading.get_open_position("XLV").current_price == "150"
        assert [o.id for o in clients.trading.get_orders()] == [working.id]
        assert second.controls.now().isoformat() == "2026-11-24T11:45:00-05:00"
        # The id counter carries on: no order id is handed out twice.
        again = clients.trading.submit_order(
            MarketOrderRequest(
                symbol="XLF", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        assert again.id != working.id


def test_controls_alone_persist_without_serving(tmp_path):
    path = tmp_path / "state.json"
    SimServer(state_path=path).controls.set_prices({"XLK": Decimal("200")})
    SimServer(state_path=path).controls.advance(days=2)
    state = json.loads(path.read_text())
    assert Decimal(state["prices"]["XLK"]) == 200
    assert state["now"].startswith("2026-11-26T")
    SimServer(state_path=path).controls.reset("empty")
    assert json.loads(path.read_text())["cash"] == "100000.00"


def test_a_new_state_file_is_seeded_from_the_scenario(tmp_path):
    path = tmp_path / "nested" / "state.json"
    SimServer(state_path=path, scenario="empty")
    assert json.loads(path.read_text())["scenario"] == "empty"
    assert not list(path.parent.glob("*.tmp"))  # the atomic write left nothing behind


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": 1}', '{"format": 99}'])
def test_a_corrupt_state_file_is_a_clear_error_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=str(path)):
        SimServer(state_path=path)


def test_an_unknown_scenario_is_refused():
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        SimServer(scenario="nope")
