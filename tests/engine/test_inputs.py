"""What the engine is given checks itself, however it is built: ``Holding.from_decimals``
(the backtest's way, on every decision) gives the very holding the constructor does, and
refuses what the constructor refuses; a portfolio's shared empty maps stay read-only."""

from __future__ import annotations

from dataclasses import fields
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


def test_from_decimals_is_the_constructors_holding():
    built = Holding.from_decimals("AAA", D("12.345678901"), D("101.25"))
    made = Holding("AAA", D("12.345678901"), D("101.25"))
    assert type(built) is Holding
    assert built == made
    assert [getattr(built, f.name) for f in fields(Holding)] == [
        getattr(made, f.name) for f in fields(Holding)
    ]
    with pytest.raises(AttributeError):
        built.qty = D(1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("qty", "price"),
    [("1.5", D(2)), (D(1), 2.25), (3, D(4)), (D("-0"), D(1)), (D(0), D("0.01"))],
)
def test_from_decimals_converts_what_the_constructor_converts(qty, price):
    assert Holding.from_decimals("AAA", qty, price) == Holding("AAA", qty, price)


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
def test_from_decimals_refuses_what_the_constructor_refuses(symbol, qty, price, message):
    with pytest.raises(ValueError, match=message):
        Holding(symbol, qty, price)
    with pytest.raises(ValueError, match=message):
        Holding.from_decimals(symbol, qty, price)


def test_a_portfolio_of_either_holdings_hashes_alike():
    values = [("AAA", D("3.5"), D("20.10")), ("BBB", D(0), D("7.25"))]
    made = Portfolio(cash=D(100), holdings=tuple(Holding(*v) for v in values))
    built = Portfolio(cash=D(100), holdings=tuple(Holding.from_decimals(*v) for v in values))
    assert built == made
    assert input_hash(POLICY, built) == input_hash(POLICY, made)


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
