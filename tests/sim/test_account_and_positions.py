"""The seed account and its positions, read and closed through alpaca-py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.requests import ClosePositionRequest

SEED_VALUES = {
    "XLK": Decimal("3200"),
    "XLV": Decimal("1600"),
    "XLF": Decimal("900"),
    "XLE": Decimal("800"),
    "SPY": Decimal("1200"),
    "TQQQ": Decimal("1000"),
    "TLT": Decimal("400"),
}
SEED_PRICES = {
    "XLK": Decimal("185.00"),
    "XLV": Decimal("145.00"),
    "XLF": Decimal("40.00"),
    "XLE": Decimal("62.00"),
    "SPY": Decimal("480.00"),
    "TQQQ": Decimal("65.50"),
    "TLT": Decimal("95.00"),
}


def test_the_seed_account_is_a_cash_account_with_3400_dollars(sim):
    account = sim.trading.get_account()
    assert account.status.value == "ACTIVE"
    assert account.account_number == "PA3SIM000001"
    assert Decimal(account.cash) == Decimal("3400.00")
    assert Decimal(account.buying_power) == Decimal("3400.00")
    assert account.multiplier == "1"
    positions = sim.trading.get_all_positions()
    total = sum(Decimal(p.market_value) for p in positions)
    assert Decimal(account.equity) == Decimal(account.cash) + total
    assert Decimal(account.long_market_value) == total


def test_the_seed_positions_match_the_scenario_within_five_dollars(sim):
    positions = {p.symbol: p for p in sim.trading.get_all_positions()}
    assert set(positions) == set(SEED_VALUES)
    for symbol, value in SEED_VALUES.items():
        position = positions[symbol]
        assert Decimal(position.current_price) == SEED_PRICES[symbol]
        assert abs(Decimal(position.market_value) - value) <= 5, symbol
        qty, avg = Decimal(position.qty), Decimal(position.avg_entry_price)
        assert Decimal(position.market_value) == qty * SEED_PRICES[symbol]
        assert Decimal(position.cost_basis) == qty * avg
        assert position.side.value == "long" and position.asset_class.value == "us_equity"


def test_the_empty_scenario_has_cash_and_nothing_else(empty_sim):
    assert Decimal(empty_sim.trading.get_account().cash) == Decimal("100000.00")
    assert empty_sim.trading.get_all_positions() == []


def test_one_position_by_symbol_and_a_missing_one_is_404(sim):
    position = sim.trading.get_open_position("XLF")
    assert Decimal(position.qty) == Decimal("22.5")
    with pytest.raises(APIError) as caught:
        sim.trading.get_open_position("VGT")
    assert caught.value.status_code == 404
    assert caught.value.message == "position does not exist"


def test_closing_a_position_sells_all_of_it_at_market(sim):
    before = Decimal(sim.trading.get_account().cash)
    order = sim.trading.close_position("XLF")
    assert order.side.value == "sell" and Decimal(order.qty) == Decimal("22.5")
    assert order.status.value == "accepted"
    filled = sim.trading.get_order_by_id(order.id)
    assert filled.status.value == "filled"
    assert Decimal(sim.trading.get_account().cash) == before + Decimal("900.00")
    assert "XLF" not in {p.symbol for p in sim.trading.get_all_positions()}


def test_closing_part_of_a_position_by_percentage(sim):
    sim.trading.close_position("SPY", ClosePositionRequest(percentage="40"))
    assert Decimal(sim.trading.get_open_position("SPY").qty) == Decimal("1.5")


def test_a_fractional_holding_in_an_unfractionable_asset_can_still_be_closed(sim):
    order = sim.trading.close_position("TQQQ")
    assert Decimal(order.qty) == Decimal("15.27")
    assert sim.trading.get_order_by_id(order.id).status.value == "filled"


def test_closing_all_positions_answers_207_with_one_order_each(sim):
    results = sim.trading.close_all_positions(cancel_orders=True)
    assert sorted(r.symbol for r in results) == sorted(SEED_VALUES)
    assert {r.status for r in results} == {200}
    assert sim.trading.get_all_positions() == []
    account = sim.trading.get_account()
    assert Decimal(account.equity) == Decimal(account.cash)
