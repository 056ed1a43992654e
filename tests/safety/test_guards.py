"""The checks before sending, on values: each refusal, and what passes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trader.core.domain import Order, Side
from trader.core.money import QTY_STEP
from trader.core.staging import Basis, StagedOrder, StagedPlan, client_order_id
from trader.errors import LimitExceeded, PlanExpired, PriceMoved, StalePlan
from trader.execution import guards

D = Decimal
UID = "ab" * 16
T0 = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def order(seq: int, side: Side, symbol: str, qty: str, price: str, **extra) -> StagedOrder:
    return StagedOrder(
        seq=seq,
        client_order_id=client_order_id(UID, seq, side, symbol),
        symbol=symbol,
        side=side,
        qty=D(qty),
        est_price=D(price),
        est_value=D(qty) * D(price),
        category="c",
        reason="r",
        **extra,
    )


SELL = order(1, Side.SELL, "XLK", "4", "185")
BUY = order(2, Side.BUY, "QQQ", "2", "410")
PLAN = StagedPlan(
    uid=UID,
    mode="sim",
    status="staged",
    created_at=T0,
    method="threshold",
    input_hash="0" * 64,
    equity=D(12500),
    investable=D(11500),
    cash=D(3400),
    cash_after=D(3400) + 740 - 820,
    orders=(SELL, BUY),
    payload={},
    basis=Basis(D(3400), {"XLK": D("17.3"), "SPY": D("2.5")}),
)


def test_the_plan_expires_after_its_ttl():
    guards.check_expiry(PLAN, T0 + timedelta(minutes=60), 60)
    with pytest.raises(PlanExpired, match="61 minutes ago"):
        guards.check_expiry(PLAN, T0 + timedelta(minutes=61), 60)


def test_the_plans_own_fills_explain_the_account():
    filled = replace(SELL, status="filled", filled_qty=D(4), filled_avg_price=D("184.50"))
    plan = replace(PLAN, orders=(filled, BUY))
    expected = guards.expected_basis(plan)
    assert expected.positions == {"SPY": D("2.5"), "XLK": D("13.3")}
    assert expected.cash == D(3400) + D(738)
    guards.check_basis(plan, Basis(D("4138.40"), {"XLK": D("13.3"), "SPY": D("2.5")}), D(1))


@pytest.mark.parametrize(
    ("actual", "message"),
    [
        (Basis(D(3400), {"XLK": D("17.3"), "SPY": D("3.5")}), "SPY 2.5 -> 3.5 shares"),
        (Basis(D(3400), {"XLK": D("17.3")}), "SPY 2.5 -> 0 shares"),
        (Basis(D("3398.99"), {"XLK": D("17.3"), "SPY": D("2.5")}), "cash $3,400.00 -> $3,398.99"),
    ],
)
def test_a_changed_account_is_stale(actual, message):
    with pytest.raises(StalePlan, match=message.replace("$", r"\$")):
        guards.check_basis(PLAN, actual, D(1))


def test_cash_within_the_tolerance_is_not_a_change():
    guards.check_basis(PLAN, Basis(D("3399.00"), {"XLK": D("17.3"), "SPY": D("2.5")}), D(1))


@pytest.mark.parametrize(
    ("price", "refused"), [("188.70", False), ("181.30", False), ("188.71", True), ("181.29", True)]
)
def test_prices_may_move_up_to_the_limit(price, refused):
    # 2% of 185 is 3.70: 188.70 and 181.30 are exactly on the limit, which holds.
    prices = {"XLK": D(price), "QQQ": D(410)}
    if refused:
        with pytest.raises(PriceMoved, match="XLK"):
            guards.check_prices(PLAN.orders, prices, D(2))
    else:
        guards.check_prices(PLAN.orders, prices, D(2))


def test_a_symbol_without_a_price_is_refused():
    with pytest.raises(PriceMoved, match="QQQ: no current price"):
        guards.check_prices(PLAN.orders, {"XLK": D(185)}, D(2))


def test_fat_finger_limits():
    prices = {"XLK": D(185), "QQQ": D(410)}
    guards.check_limits(PLAN.orders, prices, D(820), D(1560))
    with pytest.raises(LimitExceeded, match="QQQ is worth \\$820.00"):
        guards.check_limits(PLAN.orders, prices, D("819.99"), D(5000))
    with pytest.raises(LimitExceeded, match="add up to \\$1,560.00"):
        guards.check_limits(PLAN.orders, prices, D(1000), D("1559.99"))
    with pytest.raises(LimitExceeded, match="add up to \\$2,560.00"):
        guards.check_limits(PLAN.orders, prices, D(1000), D(2000), already_traded=D(1000))


def open_order(symbol: str, side: Side, client_id: str = "theirs") -> Order:
    return Order(
        "o-1",
        client_id,
        symbol,
        side,
        "stop",
        "gtc",
        "new",
        D(1),
        None,
        D(0),
        None,
        None,
        D(100),
        T0,
        T0,
    )


def test_conflicts_are_other_peoples_opposite_orders_on_our_symbols():
    assert guards.conflicts(PLAN.orders, [open_order("QQQ", Side.SELL)]).keys() == {2}
    assert guards.conflicts(PLAN.orders, [open_order("QQQ", Side.BUY)]) == {}
    assert guards.conflicts(PLAN.orders, [open_order("SPY", Side.SELL)]) == {}
    ours = open_order("QQQ", Side.SELL, client_id=SELL.client_order_id)
    assert guards.conflicts(PLAN.orders, [ours]) == {}


def test_buys_are_fitted_largest_first_then_shrunk_or_dropped():
    buys = [
        order(2, Side.BUY, "QQQ", "2", "410"),
        order(3, Side.BUY, "XLF", "20", "40"),
        order(4, Side.BUY, "TLT", "2", "95"),
    ]
    prices = {"QQQ": D(410), "XLF": D(40), "TLT": D(95)}
    steps = {"QQQ": QTY_STEP, "XLF": D(1), "TLT": D(1)}
    # 2,000 cash less a 1,000 reserve: QQQ 820 fits, 180 left: 4 whole XLF (160), 20 left.
    sized = guards.size_buys(buys, prices, steps, D(2000), D(1000), D(100))
    assert [(s.seq, s.qty) for s in sized] == [(2, D(2)), (3, D(4)), (4, D(0))]
    assert sized[0].note is None
    assert sized[1].note.startswith("shrunk from 20 to 4 shares: only $180.00 above the reserve")
    assert sized[2].note.startswith("dropped: only $20.00 above the reserve")
    # With a 200 minimum, the 160 of XLF is dropped instead, and TLT gets nothing either.
    sized = guards.size_buys(buys, prices, steps, D(2000), D(1000), D(200))
    assert [(s.seq, s.qty) for s in sized] == [(2, D(2)), (3, D(0)), (4, D(0))]
    assert "below min_trade_dollars ($200.00)" in sized[1].note
