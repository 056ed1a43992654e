"""Later starts and missing closes are handled and reported, never filled in silence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import numpy as np
import pytest

from trader.backtest import PriceHistory, prepare, run_backtest
from trader.core.policy import Policy

DAYS = [date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9)]


def test_a_later_start_moves_the_start_and_is_named():
    history = PriceHistory.from_series(
        {
            "AAA": dict(zip(DAYS, [10, 11, 12, 13, 14, 15], strict=True)),
            "BBB": dict(zip(DAYS[2:], [20, 21, 22, 23], strict=True)),
        }
    )
    prices = prepare(history, ["AAA", "BBB"], date(2024, 1, 1))
    assert prices.days[0] == date(2024, 1, 4)
    assert prices.late_starts == {"BBB": date(2024, 1, 4)}
    assert "later starts: BBB (2024-01-04)" in prices.notes()[0]


def test_a_missing_close_is_carried_forward_and_reported():
    history = PriceHistory.from_series(
        {
            "AAA": dict(zip(DAYS, [10, 11, 12, 13, 14, 15], strict=True)),
            "BBB": {DAYS[0]: 20, DAYS[1]: 21, DAYS[4]: 24, DAYS[5]: 25},
        }
    )
    prices = prepare(history, ["AAA", "BBB"])
    assert prices.closes[:, 1].tolist() == [20, 21, 21, 21, 24, 25]
    (gap,) = prices.gaps
    assert (gap.symbol, gap.missing_days, gap.first, gap.last) == (
        "BBB",
        2,
        date(2024, 1, 4),
        date(2024, 1, 5),
    )
    assert prices.notes() == [
        "BBB: 2 missing closes (2024-01-04 to 2024-01-05) carried forward from the previous close"
    ]


def test_a_symbol_without_prices_is_an_error():
    history = PriceHistory(tuple(DAYS[:2]), ("AAA",), np.array([[1.0], [2.0]]))
    policy = Policy(target_allocation={"a": 50, "b": 50}, categories={"a": ("AAA",), "b": ("BBB",)})
    with pytest.raises(ValueError, match="no prices for BBB"):
        run_backtest(policy, history, ["buy_hold"], capital=D(100))


def test_the_end_date_cuts_the_history():
    history = PriceHistory(tuple(DAYS), ("AAA",), np.arange(1.0, 7.0)[:, None])
    prices = prepare(history, ["AAA"], date(2024, 1, 3), date(2024, 1, 8))
    assert prices.days == tuple(DAYS[1:5])


def test_a_hole_on_the_start_day_is_carried_from_the_close_before_it_and_reported():
    """S0 starts 02-01; S1 has a close before that day but none on it (nor after): the
    start day takes S1's last close before it, and the hole is a gap like any other."""
    days = [date(2024, 1, 29), date(2024, 2, 1), date(2024, 2, 4)]
    history = PriceHistory(
        tuple(days),
        ("S0", "S1"),
        np.array([[np.nan, 73.29], [50.0, np.nan], [51.0, np.nan]]),
    )
    prices = prepare(history, ["S0", "S1"])
    assert prices.days == tuple(days[1:])
    assert prices.closes.tolist() == [[50.0, 73.29], [51.0, 73.29]]
    assert prices.late_starts == {"S0": date(2024, 2, 1)}
    (gap,) = prices.gaps
    assert (gap.symbol, gap.missing_days, gap.first, gap.last, gap.before_start) == (
        "S1",
        2,
        date(2024, 2, 1),
        date(2024, 2, 4),
        date(2024, 1, 29),
    )
    assert prices.notes() == [
        "starts 2024-02-01: the first day every symbol has a close; later starts: S0 (2024-02-01)",
        "S1: 2 missing closes (2024-02-01 to 2024-02-04) carried forward from the last close "
        "before the start (2024-01-29)",
    ]
    policy = Policy(target_allocation={"a": 50, "b": 50}, categories={"a": ("S0",), "b": ("S1",)})
    (run,) = run_backtest(policy, history, ["buy_hold"], capital=D(1000)).runs  # no NaN price
    assert run.days == prices.days and np.isfinite(run.equity).all()


def test_a_spiked_csv_close_is_dropped_carried_over_and_reported(tmp_path):
    from trader.price_history import read_price_csv

    path = tmp_path / "prices.csv"
    path.write_text(
        "date,AAA,BBB\n"
        "2024-01-02,185.10,20\n"
        "2024-01-03,18510.00,21\n"  # AAA ×100: a bad print between two closes that agree
        "2024-01-04,185.40,22\n"
        "2024-01-05,186.00,23\n"
    )
    prices = prepare(read_price_csv(path), ["AAA", "BBB"])
    assert prices.closes[:, 0].tolist() == [185.10, 185.10, 185.40, 186.00]
    assert prices.notes() == [
        "AAA: the close of 2024-01-03 ($18,510.00) was dropped as a bad print: its neighbours "
        "are $185.10 and $185.40",
        "AAA: 1 missing close (2024-01-03) carried forward from the previous close",
    ]
