"""Tax lots from trades, first in first out, against hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trader.core.domain import Side
from trader.core.lots import Lot, Trade, build_lots, is_long_term, realize
from trader.core.wash import WashWindows

D = Decimal
BUY, SELL = Side.BUY, Side.SELL


def t(side, qty, price, day, symbol="XLE") -> Trade:
    return Trade(symbol, side, D(qty), D(price), day)


def test_sells_close_the_oldest_lots_first():
    book = build_lots(
        [
            t(BUY, "10", "70", date(2025, 1, 10)),
            t(BUY, "5", "80", date(2025, 6, 2)),
            t(SELL, "12", "90", date(2026, 2, 1)),
        ]
    )
    # The sale takes all 10 of the $70 lot and 2 of the $80 lot.
    (left,) = book.of("XLE")
    assert (left.qty, left.cost, left.acquired) == (D(3), D(80), date(2025, 6, 2))
    first, second = book.closed
    assert (first.qty, first.gain, first.long_term) == (D(10), D(200), True)  # 20 x 10
    assert (second.qty, second.gain, second.long_term) == (D(2), D(20), False)  # 10 x 2


def test_same_day_buys_are_one_lot_at_their_average():
    # Partial fills of one order, and a second order the same day: Alpaca averages them.
    book = build_lots(
        [
            t(BUY, "0.5", "100", date(2026, 3, 2)),
            t(BUY, "1.5", "104", date(2026, 3, 2)),
            t(BUY, "2", "90", date(2026, 3, 3)),
        ]
    )
    same_day, next_day = book.of("XLE")
    assert (same_day.qty, same_day.cost) == (D(2), D(103))  # (50 + 156) / 2
    assert (next_day.qty, next_day.cost) == (D(2), D(90))


def test_a_position_older_than_the_history_gets_an_unknown_date_lot():
    # 10 shares held at an average of 60; the history only shows 4 bought at 50.
    book = build_lots([t(BUY, "4", "50", date(2026, 5, 1))], {"XLE": (D(10), D(60))})
    unknown, known = book.of("XLE")
    assert unknown.acquired is None and unknown.qty == 6
    # The cost that makes the average right, (600 - 200) / 6, to 9 decimals.
    assert unknown.cost == D("66.666666667")
    assert known == Lot("XLE", D(4), D(50), date(2026, 5, 1))
    assert not is_long_term(None, date(2030, 1, 1))


def test_lots_beyond_the_position_are_closed_oldest_first():
    book = build_lots(
        [t(BUY, "4", "50", date(2026, 1, 5)), t(BUY, "4", "60", date(2026, 2, 5))],
        {"XLE": (D(5), D(58))},
    )
    older, newer = book.of("XLE")  # 3 of the 8 shares went outside the history
    assert (older.qty, older.cost, newer.qty, newer.cost) == (D(1), D(50), D(4), D(60))
    assert build_lots([t(BUY, "1", "1", date(2026, 1, 5))], {}).lots == {}


@pytest.mark.parametrize(
    ("acquired", "sold", "long"),
    [
        (date(2025, 3, 1), date(2026, 3, 1), False),  # exactly a year is not more than a year
        (date(2025, 3, 1), date(2026, 3, 2), True),
        (date(2024, 2, 29), date(2025, 2, 28), False),
        (date(2024, 2, 29), date(2025, 3, 1), True),
    ],
)
def test_long_term_means_more_than_one_year(acquired, sold, long):
    assert is_long_term(acquired, sold) is long


def test_realizing_a_sale_splits_short_and_long_term():
    lots = (
        Lot("XLE", D(5), D(100), date(2024, 1, 2)),
        Lot("XLE", D(5), D(50), date(2026, 1, 2)),
    )
    sale = realize(lots, D(7), D(60), date(2026, 6, 1))
    assert (sale.long_term, sale.short_term, sale.total) == (D(-200), D(20), D(-180))
    assert sale.qty == 7


def test_wash_windows_from_the_history():
    trades = [
        t(BUY, "10", "70", date(2026, 1, 5)),
        t(SELL, "10", "60", date(2026, 3, 2)),  # a loss
        t(BUY, "3", "120", date(2026, 3, 2), symbol="VDE"),
    ]
    book = build_lots(trades)
    wash = WashWindows.from_history(trades, book.closed)
    assert wash.sold_at_loss_recently("XLE", date(2026, 4, 1)) == date(2026, 3, 2)  # day 30
    assert wash.sold_at_loss_recently("XLE", date(2026, 4, 2)) is None  # day 31: allowed
    assert wash.bought_recently("VDE", date(2026, 3, 20)) == date(2026, 3, 2)
    assert wash.bought_recently("XLE", date(2026, 3, 20)) is None
    kinds = {(s, k) for s, k, _, _ in wash.open_windows(date(2026, 3, 10))}
    assert kinds == {("XLE", "sold at a loss: no buy"), ("VDE", "bought: no harvest")}


def test_a_loss_is_washed_by_shares_bought_in_the_30_days_before_the_sale():
    # 10 bought at 100 on 5 January, 4 at 90 on 1 March; 10 sold at 80 on 11 March: a
    # loss of 10 * 20 = 200. The 4 shares of 1 March replace 4 of those sold: 4 * 20 = 80
    # is washed, 120 counts. The 4 shares cost 90 + 20 = 110 and date from 5 January.
    book = build_lots(
        [
            Trade("X", Side.BUY, D(10), D(100), date(2026, 1, 5)),
            Trade("X", Side.BUY, D(4), D(90), date(2026, 3, 1)),
            Trade("X", Side.SELL, D(10), D(80), date(2026, 3, 11)),
        ]
    )
    (piece,) = book.closed
    assert (piece.gain, piece.washed, piece.recognized) == (D(-200), D(80), D(-120))
    (lot,) = book.of("X")
    assert (lot.qty, lot.cost, lot.basis) == (D(4), D(110), D(440))
    assert (lot.acquired, lot.bought, lot.washed) == (date(2026, 1, 5), date(2026, 3, 1), D(80))


def test_a_loss_is_washed_by_a_buy_in_the_30_days_after_the_sale_and_only_once():
    # 10 bought at 100, sold at 80 on 11 March (loss 200). 4 bought at 85 on 20 March wash
    # 4 * 20 = 80: cost 105. 10 more on 12 April (32 days on) are outside the window.
    book = build_lots(
        [
            Trade("X", Side.BUY, D(10), D(100), date(2026, 1, 5)),
            Trade("X", Side.SELL, D(10), D(80), date(2026, 3, 11)),
            Trade("X", Side.BUY, D(4), D(85), date(2026, 3, 20)),
            Trade("X", Side.BUY, D(10), D(70), date(2026, 4, 12)),
        ]
    )
    (piece,) = book.closed
    assert (piece.washed, piece.recognized) == (D(80), D(-120))
    replacement, later = book.of("X")
    assert (replacement.qty, replacement.cost, replacement.acquired) == (
        D(4),
        D(105),
        date(2026, 1, 5),
    )
    assert (later.qty, later.cost, later.washed, later.acquired) == (
        D(10),
        D(70),
        0,
        date(2026, 4, 12),
    )


def test_a_gain_or_a_sale_of_the_new_shares_themselves_washes_nothing():
    book = build_lots(
        [
            Trade("X", Side.BUY, D(10), D(100), date(2026, 3, 1)),
            Trade("X", Side.SELL, D(10), D(80), date(2026, 3, 11)),  # no shares left
            Trade("Y", Side.BUY, D(5), D(10), date(2026, 3, 1)),
            Trade("Y", Side.BUY, D(5), D(11), date(2026, 3, 2)),
            Trade("Y", Side.SELL, D(5), D(12), date(2026, 3, 11)),  # a gain
        ]
    )
    assert [c.washed for c in book.closed] == [0, 0]
    assert [lot.washed for lot in book.of("Y")] == [0]
