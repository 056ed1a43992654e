"""The bad-print rule on daily closes: a close outside its bar, or a jump of more than
20% from both neighbours that reverts (the neighbours within 5% of each other), is
dropped and reported; real moves are kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from trader.core.bad_prints import DailyClose, clean_closes

START = date(2026, 11, 2)


def _closes(*values: str) -> list[DailyClose]:
    return [DailyClose(START + timedelta(days=i), Decimal(v)) for i, v in enumerate(values)]


def _dropped(values: tuple[str, ...], latest: str | None = None) -> list[str]:
    _, bad = clean_closes("XLK", _closes(*values), Decimal(latest) if latest else None)
    return [str(b.close) for b in bad]


@pytest.mark.parametrize(
    ("closes", "latest", "dropped"),
    [
        # a x100 spike between two closes that agree
        (("185.10", "18510.00", "185.40"), None, ["18510.00"]),
        # a /10 low print
        (("185.10", "18.51", "185.40"), None, ["18.51"]),
        # 1 in 7 spiked: every spike goes, the rest stays
        (
            ("100", "10000", "101", "102", "103", "104", "105", "106", "10600", "107"),
            None,
            ["10000", "10600"],
        ),
        # a real fall that stays: the neighbours disagree
        (("100", "75", "74"), None, []),
        # a real crash and a partial rebound (the neighbours 10% apart)
        (("100", "70", "90"), None, []),
        # a move of 19% that reverts: within the 20% band, kept
        (("100", "119", "100"), None, []),
        # the next close 6% from the previous: not a revert
        (("100", "130", "106"), None, []),
        # the last close: compared with the latest trade
        (("185.10", "185.40", "18540.00"), "185.50", ["18540.00"]),
        # the last close with a latest trade that agrees with it: a real move, kept
        (("100", "101", "150"), "151", []),
        # the last close without a latest trade: kept (a move cannot be told from a print)
        (("185.10", "185.40", "18540.00"), None, []),
        # the first close has no close before it: kept (readers read a few days before)
        (("18510.00", "185.10", "185.40"), None, []),
        # two closes only, and one: nothing to compare
        (("100", "10000"), None, []),
        (("100",), None, []),
    ],
)
def test_the_outlier_rule(closes, latest, dropped):
    assert _dropped(closes, latest) == dropped


def test_a_close_outside_its_bar_is_dropped_whatever_its_neighbours():
    closes = [
        DailyClose(START, Decimal("100"), Decimal("99"), Decimal("101")),
        DailyClose(START + timedelta(days=1), Decimal("110"), Decimal("99"), Decimal("102")),
        DailyClose(START + timedelta(days=2), Decimal("100"), Decimal("99"), Decimal("101")),
    ]
    kept, bad = clean_closes("SPY", closes)
    assert [c.close for c in kept] == [Decimal("100"), Decimal("100")]
    assert bad[0].text == (
        "SPY: the close of 2026-11-03 ($110.00) was dropped as a bad print: it lies outside "
        "its bar's range $99.00..$102.00"
    )


def test_the_report_names_the_close_and_its_neighbours():
    _, bad = clean_closes("XLK", _closes("185.10", "18500.00", "185.40"))
    assert bad[0].text == (
        "XLK: the close of 2026-11-03 ($18,500.00) was dropped as a bad print: its neighbours "
        "are $185.10 and $185.40"
    )
