"""The price collar: each order's limit price, on Alpaca's tick, and the guards' worst case.

Every figure here is computed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trader.core.domain import Side
from trader.core.money import QTY_STEP
from trader.errors import LimitExceeded
from trader.execution import collar, guards

from .test_guards import PLAN, order

D = Decimal
ZERO = D(0)


@pytest.mark.parametrize(
    ("side", "reference", "pct", "limit"),
    [
        (Side.BUY, "410.00", "1", "414.10"),  # 410 x 1.01
        (Side.SELL, "410.00", "1", "405.90"),  # 410 x 0.99
        (Side.BUY, "185.37", "1", "187.22"),  # 187.2237: down to the cent
        (Side.SELL, "185.37", "1", "183.52"),  # 183.5163: up to the cent
        (Side.BUY, "33.33", "2.5", "34.16"),  # 34.16325
        (Side.SELL, "33.33", "2.5", "32.50"),  # 32.49675
        (Side.BUY, "0.5123", "1", "0.5174"),  # 0.517423: below $1, four decimals, down
        (Side.SELL, "0.5123", "1", "0.5072"),  # 0.507177: up
        (Side.BUY, "0.9950", "1", "1.00"),  # 1.00495: from $1 on the cent, down
        (Side.SELL, "1.0050", "1", "0.9950"),  # 0.99495: below $1, up to 0.9950
        (Side.SELL, "1.0100", "1", "0.9999"),  # 0.9999 exactly: on the sub-dollar tick
        (Side.SELL, "1.0101", "1", "1.00"),  # 0.999999: up to 1.0000, written on the cent
        (Side.BUY, "40", "1", "40.40"),
    ],
)
def test_limit_prices_are_rounded_inward_to_alpacas_tick(side, reference, pct, limit):
    price = collar.limit_price(side, D(reference), D(pct))
    assert price == D(limit)
    decimals = -price.normalize().as_tuple().exponent
    assert decimals <= (2 if price >= 1 else 4)
    # Inward: never further from the reference than the collar.
    assert abs(price - D(reference)) <= D(reference) * D(pct) / 100


def test_the_reference_price_is_the_latest_else_the_plans_estimate():
    buy = order(2, Side.BUY, "QQQ", "2", "410")
    assert collar.reference_price("QQQ", {"QQQ": D("412.50")}, buy.est_price) == D("412.50")
    assert collar.limit_prices([buy], {}, D(1)) == {2: D("414.10")}
    assert collar.limit_prices([buy], {"QQQ": D(400)}, D(1)) == {2: D("404.00")}


def test_an_order_under_max_order_dollars_at_its_estimate_but_over_at_its_limit_is_refused():
    prices = {"XLK": D(185), "QQQ": D(410)}
    limits = collar.limit_prices(PLAN.orders, prices, D(1))  # QQQ buy 414.10, XLK sell 183.15
    # 2 QQQ at 410 = 820 is under 825; at the 414.10 limit, 828.20 is over.
    guards.check_limits(PLAN.orders, prices, D(825), D(5000))
    with pytest.raises(LimitExceeded, match="QQQ is worth \\$828.20 at its limit \\$414.10"):
        guards.check_limits(PLAN.orders, prices, D(825), D(5000), limits=limits)
    # The session: the sell at its price (740; its limit is lower), the buy at its limit.
    guards.check_limits(PLAN.orders, prices, D(1000), D("1568.20"), limits=limits)
    with pytest.raises(LimitExceeded, match="add up to \\$1,568.20"):
        guards.check_limits(PLAN.orders, prices, D(1000), D("1568.19"), limits=limits)


def test_buys_are_sized_at_their_limit_price_keeping_the_reserve():
    buys = [order(2, Side.BUY, "QQQ", "2", "410"), order(3, Side.BUY, "XLF", "20", "40")]
    prices = {"QQQ": D(410), "XLF": D(40)}
    steps = {"QQQ": QTY_STEP, "XLF": D(1)}
    limits = collar.limit_prices(buys, prices, D(1))  # 414.10 and 40.40
    # 1,000 above the reserve: QQQ takes 828.20 at its limit, 171.80 left: 4 XLF at 40.40
    # (161.60), not 4 at the 40 estimate and a fifth at 41 (the 2.5% market-order buffer).
    sized = guards.size_buys(buys, prices, steps, D(2000), D(1000), D(100), D("2.5"), limits)
    assert [(s.seq, s.qty) for s in sized] == [(2, D(2)), (3, D(4))]
    assert "counting each buy at its limit price ($40.40)" in sized[1].note
    assert sized[1].note.startswith("shrunk from 20 to 4 shares: only $171.80 above the reserve")
    # Just enough for 4 at the limit and not 5: 1,000 + 828.20 + 4 x 40.40 + 40.39.
    sized = guards.size_buys(buys, prices, steps, D("2030.19"), D(1000), D(100), ZERO, limits)
    assert [(s.seq, s.qty) for s in sized] == [(2, D(2)), (3, D(4))]
