"""Working orders count as changes already on their way: shares and cash, at their price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from trader.core.domain import Order, Side
from trader.core.policy import Holding, Portfolio
from trader.core.staging import StagedOrder
from trader.core.statuses import OrderStatus
from trader.planning.working import count_working, working_note, working_orders

D = Decimal
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def order(symbol, side, kind="market", qty="4", filled="0", notional=None, limit=None, cid="c"):
    return Order(
        order_id=f"id-{symbol}",
        client_order_id=cid,
        symbol=symbol,
        side=side,
        order_type=kind,
        time_in_force="day",
        status="partially_filled" if D(filled) else "new",
        qty=D(qty) if qty is not None else None,
        notional=D(notional) if notional is not None else None,
        filled_qty=D(filled),
        filled_avg_price=D("100") if D(filled) else None,
        limit_price=D(limit) if limit is not None else None,
        stop_price=None,
        submitted_at=NOW,
        created_at=NOW,
    )


def test_what_is_left_to_fill_counts_at_its_limit_or_the_price_now():
    found, warnings = working_orders(
        [
            order("XLK", Side.SELL, qty="4.5", filled="1.5", cid="trader-" + "a" * 32 + "-001"),
            order("QQQ", Side.BUY, kind="limit", qty="2", limit="400"),
            order("SPY", Side.BUY, qty=None, notional="1000"),
            order("GLD", Side.SELL, kind="trailing_stop", qty="3"),
        ],
        [],
        {"XLK": D("200"), "QQQ": D("410"), "SPY": D("500"), "GLD": D("180")},
    )
    assert [(w.symbol, w.qty, w.price, w.ours) for w in found] == [
        ("XLK", D(3), D(200), True),
        ("QQQ", D(2), D(400), False),
        ("SPY", D(2), D(500), False),
    ]
    assert warnings == []


def test_orders_sent_after_a_stored_sync_count_whole_and_filled_ones_too():
    def staged(symbol, status, sent, filled="0"):
        return StagedOrder(
            seq=1,
            client_order_id=f"trader-{symbol}",
            symbol=symbol,
            side=Side.SELL,
            qty=D(sent),
            est_price=D(100),
            est_value=D(sent) * 100,
            category="x",
            reason="r",
            status=status,
            sent_qty=D(sent),
            filled_qty=D(filled),
        )

    found, _ = working_orders(
        [],
        [
            staged("XLF", OrderStatus.ACCEPTED, "5"),
            staged("IEF", OrderStatus.FILLED, "2", filled="2"),
            staged("XLU", OrderStatus.CANCELLED, "3", filled="1"),
            staged("XLB", OrderStatus.REJECTED, "3"),
        ],
        {},
    )
    assert [(w.symbol, w.qty) for w in found] == [("XLF", 5), ("IEF", 2), ("XLU", 1)]


def test_the_portfolio_counts_them_as_filled():
    portfolio = Portfolio(cash=D(1000), holdings=(Holding("XLK", D(10), D(200), D(150)),))
    found, _ = working_orders(
        [order("XLK", Side.SELL, qty="4"), order("QQQ", Side.BUY, qty="1")],
        [],
        {"XLK": D(200), "QQQ": D(400)},
    )
    after = count_working(portfolio, found)
    assert after.cash == D(1000) + 4 * 200 - 400
    assert after.holding("XLK").qty == 6 and after.holding("XLK").avg_cost == 150
    assert after.holding("QQQ").qty == 1
    assert after.equity == portfolio.equity
    (note,) = working_note(found)
    assert "placed by you: sell 4 XLK, buy 1 QQQ" in note and "not sent again" in note
