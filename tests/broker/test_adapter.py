"""The alpaca-py adapter against the local paper broker over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from trader.core.domain import OrderRequest, Side

SEED_VALUES = {
    "XLK": Decimal("3200"),
    "XLV": Decimal("1600"),
    "XLF": Decimal("900"),
    "XLE": Decimal("800"),
    "SPY": Decimal("1200"),
    "TQQQ": Decimal("1000"),
    "TLT": Decimal("400"),
}


def test_account_and_positions_are_the_seed_portfolio_as_domain_values(broker):
    account = broker.account()
    assert account.cash == Decimal("3400.00")
    assert account.status == "ACTIVE"
    assert account.masked_number.endswith(account.account_number[-4:])
    assert account.account_number[:-4] not in account.masked_number
    positions = {p.symbol: p for p in broker.positions()}
    assert set(positions) == set(SEED_VALUES)
    for symbol, value in SEED_VALUES.items():
        position = positions[symbol]
        assert isinstance(position.qty, Decimal)
        assert abs(position.market_value - value) <= 5, symbol
        assert position.market_value == position.qty * position.current_price
    total = sum((p.market_value for p in positions.values()), Decimal(0))
    assert account.equity == account.cash + total


def test_fills_explain_the_positions_and_page_in_order(broker):
    fills = broker.fills()
    assert fills, "the seed positions come from fill activities"
    times = [f.transaction_time for f in fills]
    assert times == sorted(times)
    held: dict[str, Decimal] = {}
    for fill in fills:
        sign = 1 if fill.side is Side.BUY else -1
        held[fill.symbol] = held.get(fill.symbol, Decimal(0)) + sign * fill.qty
    positions = {p.symbol: p.qty for p in broker.positions()}
    assert {s: q for s, q in held.items() if q} == positions
    # Incremental: nothing after the newest one.
    assert broker.fills(after=fills[-1].activity_id) == []
    assert broker.fills(after=fills[0].activity_id) == fills[1:]


def test_assets_clock_calendar_prices_and_bars(broker):
    xlk = broker.asset("XLK")
    assert xlk.tradable and xlk.fractionable
    assert any(not a.fractionable for a in broker.assets())
    clock = broker.clock()
    assert clock.is_open
    days = broker.calendar(date(2026, 11, 23), date(2026, 11, 30))
    assert date(2026, 11, 26) not in {d.day for d in days}  # Thanksgiving
    prices = broker.latest_prices(["XLK", "TLT"])
    assert prices == {"XLK": Decimal("185"), "TLT": Decimal("95")}
    start = clock.timestamp.date() - timedelta(days=3660)
    bars = broker.daily_bars(["XLK", "SPY"], start)
    assert len(bars["XLK"]) > 2500
    assert bars["XLK"][-1].close == Decimal("185")


def test_submit_and_find_by_client_order_id(broker):
    request = OrderRequest("XLF", Side.BUY, "test-buy-xlf-1", qty=Decimal("2.5"))
    order = broker.submit(request)
    assert order.client_order_id == "test-buy-xlf-1"
    assert order.qty == Decimal("2.5")
    found = broker.order_by_client_id("test-buy-xlf-1")
    assert found is not None and found.order_id == order.order_id
    assert found.status == "filled"
    assert broker.order_by_client_id("never-sent") is None


@pytest.mark.parametrize(
    ("request_", "status", "message"),
    [
        (OrderRequest("NOPE", Side.BUY, "t1", qty=Decimal(1)), 422, 'could not find asset "NOPE"'),
        (
            OrderRequest("XLK", Side.SELL, "t2", qty=Decimal(1000)),
            403,
            "insufficient qty available",
        ),
        (OrderRequest("SPY", Side.BUY, "t3", qty=Decimal(100)), 403, "insufficient buying power"),
        (OrderRequest("TQQQ", Side.BUY, "t4", qty=Decimal("0.5")), 422, "fractional"),
    ],
)
def test_rejections_carry_the_order_and_the_brokers_message(broker, request_, status, message):
    from trader.errors import OrderRejected

    with pytest.raises(OrderRejected) as caught:
        broker.submit(request_)
    error = caught.value
    assert error.status == status
    assert message in error.broker_message
    assert error.symbol == request_.symbol and error.side == request_.side.value
    assert request_.symbol in str(error)


def test_a_reused_client_order_id_is_rejected(broker):
    from trader.errors import OrderRejected

    broker.submit(OrderRequest("XLF", Side.BUY, "same-id", qty=Decimal(1)))
    with pytest.raises(OrderRejected, match="client_order_id must be unique"):
        broker.submit(OrderRequest("XLF", Side.BUY, "same-id", qty=Decimal(1)))
