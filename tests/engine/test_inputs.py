"""What the engine is given checks itself: a holding converts what it can and refuses the
rest; a portfolio's shared empty maps stay read-only."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import D

from trader.core.engine import input_hash
from trader.core.lots import Lot
from trader.core.policy import Holding, Policy, Portfolio
from trader.core.wash import WashWindows

POLICY = Policy(
    target_allocation={"alpha": D(60), "beta": D(40)},
    categories={"alpha": ("AAA",), "beta": ("BBB",)},
)


@pytest.mark.parametrize(
    ("qty", "price"),
    [("1.5", D(2)), (D(1), 2.25), (3, D(4)), (D("-0"), D(1)), (D(0), D("0.01"))],
)
def test_a_holding_converts_its_numbers_to_decimals(qty, price):
    holding = Holding("AAA", qty, price)
    assert type(holding.qty) is D and type(holding.price) is D
    assert holding == Holding("AAA", D(str(qty)), D(str(price)))


@pytest.mark.parametrize(
    ("symbol", "qty", "price", "message"),
    [
        ("", D(1), D(1), "needs a symbol"),
        ("AAA", D(-1), D(1), "negative quantity"),
        ("AAA", D(1), D(0), "must be positive"),
        ("AAA", D(1), D(-2), "must be positive"),
        ("AAA", D("NaN"), D(1), "AAA.qty: .* not a finite number"),
        ("AAA", D(1), D("NaN"), "AAA.price: .* not a finite number"),
        ("AAA", D(1), D("Infinity"), "AAA.price: .* not a finite number"),
        ("AAA", D(1), "x", "AAA.price: 'x' is not a number"),
        ("AAA", None, D(1), "AAA.qty: expected a number"),
    ],
)
def test_a_holding_refuses_what_is_not_one(symbol, qty, price, message):
    with pytest.raises(ValueError, match=message):
        Holding(symbol, qty, price)


def test_empty_maps_are_shared_read_only_and_hash_as_before():
    one, two = Portfolio(cash=D(1)), Portfolio(cash=D(2), lots={}, peaks={}, scores={})
    assert one.lots is two.lots and one.peaks is two.scores and one.wash is two.wash
    with pytest.raises(TypeError):
        one.lots["AAA"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        one.wash.last_buy["AAA"] = date(2024, 1, 2)  # type: ignore[index]
    assert input_hash(POLICY, one) == input_hash(
        POLICY, Portfolio(cash=D(1), wash=WashWindows({}, {}))
    )


def test_given_maps_are_copied_and_checked():
    lots = {"AAA": [Lot("AAA", D(1), D(10), date(2024, 1, 2))]}
    peaks = {"AAA": "12.5"}
    portfolio = Portfolio(cash=D(1), lots=lots, peaks=peaks, scores={"AAA": 40})
    lots["AAA"].clear()
    peaks["AAA"] = "1"
    assert len(portfolio.lots["AAA"]) == 1 and portfolio.peaks == {"AAA": D("12.5")}
    assert portfolio.scores == {"AAA": D(40)}
    with pytest.raises(ValueError, match="scores.AAA"):
        Portfolio(cash=D(1), scores={"AAA": 101})
    with pytest.raises(ValueError, match="peaks.AAA"):
        Portfolio(cash=D(1), peaks={"AAA": "high"})


def test_positions_and_a_symbol_listed_twice():
    aaa, bbb = Holding("AAA", D(1), D(2)), Holding("BBB", D(1), D(3))
    portfolio = Portfolio(cash=D(1), holdings=[aaa, bbb])
    assert portfolio.holdings == (aaa, bbb)
    assert portfolio.holding("BBB") is bbb and portfolio.holding("CCC") is None
    with pytest.raises(TypeError):
        portfolio.positions["CCC"] = aaa  # type: ignore[index]
    with pytest.raises(ValueError, match="BBB is listed twice"):
        Portfolio(cash=D(1), holdings=(aaa, bbb, Holding("BBB", D(2), D(3)), aaa))
