"""Splits read from the broker's SPLIT activities and replayed into the lots, by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from trader.core.corporate import Split, read_actions
from trader.core.domain import CorporateAction, Side
from trader.core.lots import Trade, build_lots, realize

D = Decimal
BUY, SELL = Side.BUY, Side.SELL
SPLIT_DAY = date(2026, 3, 2)


def action(
    ident: str,
    kind: str = "SPLIT",
    qty: str | None = None,
    *,
    symbol: str = "XLK",
    day: date = SPLIT_DAY,
    group: str = "g1",
    description: str = "",
    sub_type: str = "FSPLIT",
    **extra: str,
) -> CorporateAction:
    raw = {"id": ident, "activity_type": kind, "symbol": symbol, **extra}
    return CorporateAction(
        activity_id=ident,
        kind=kind,
        sub_type=sub_type,
        symbol=symbol,
        day=day,
        qty=None if qty is None else D(qty),
        price=None,
        net_amount=D(0),
        group_id=group,
        description=description,
        raw_json=json.dumps(raw),
    )


def test_a_split_is_read_from_its_two_legs():
    history = read_actions([action("a", qty="-10"), action("b", qty="20")])
    (split,) = history.splits
    assert (split.symbol, split.day, split.old, split.new) == ("XLK", SPLIT_DAY, D(10), D(20))
    assert (split.ratio, split.label) == (D(2), "2:1")
    assert history.notes == ()


def test_a_reverse_split_keeps_its_fraction():
    history = read_actions([action("a", qty="-10", sub_type="RSPLIT"), action("b", qty="2.5")])
    (split,) = history.splits
    assert (split.ratio, split.label) == (D("0.25"), "1:4")


def test_legs_without_a_group_pair_by_symbol_and_day():
    history = read_actions(
        [
            action("a", qty="-3", group=""),
            action("b", qty="9", group=""),
            action("c", qty="-8", group="", symbol="TLT"),
            action("d", qty="2", group="", symbol="TLT"),
        ]
    )
    assert [(s.symbol, s.label) for s in history.splits] == [("TLT", "1:4"), ("XLK", "3:1")]


def test_rates_and_descriptions_are_read_when_the_quantities_are_missing():
    by_rate = read_actions([action("a", old_rate="2", new_rate="3")])
    assert [s.label for s in by_rate.splits] == ["1.5:1"]
    by_text = read_actions(
        [action("a", description="REMOVE, From QTY:10, To QTY:40, Position Value:1000.00")]
    )
    assert [s.ratio for s in by_text.splits] == [D(4)]


def test_what_is_not_modelled_becomes_a_note_naming_the_symbol():
    history = read_actions(
        [
            action("a", group="lonely"),  # a leg with no quantity, rate or description
            action("b", kind="NC", symbol="FB", sub_type="SNC", group=""),
            action("c", kind="DIV", symbol="T", sub_type="SDIV", group=""),
            action("d", kind="DIV", symbol="T", sub_type="CDIV", group="", qty="2"),
        ]
    )
    assert history.splits == ()
    texts = [n.text for n in history.notes]
    assert any(t.startswith("XLK: a split whose ratio could not be read") for t in texts)
    assert any(
        t.startswith("FB: a name change (NC)") and "lots of FB need a look" in t for t in texts
    )
    assert any(t.startswith("T: a stock dividend (DIV)") for t in texts)
    assert [d.activity_id for d in history.dividends] == ["d"]
    # A plan repeats a note for a month, for symbols held.
    (fb,) = [t for t in texts if t.startswith("FB")]
    assert history.recent_notes({"FB"}, date(2026, 3, 20)) == [fb]
    assert history.recent_notes({"FB"}, date(2026, 5, 1)) == []
    assert history.recent_notes({"QQQ"}, date(2026, 3, 3)) == []


def trades() -> list[Trade]:
    return [
        Trade("XLK", BUY, D(10), D("100.00"), date(2025, 1, 6)),
        Trade("XLK", BUY, D(5), D("120.00"), date(2026, 2, 2)),
    ]


def test_a_two_for_one_split_doubles_the_shares_and_halves_the_cost():
    split = Split("XLK", SPLIT_DAY, D(1), D(2))
    # The broker's position after the split: 30 shares at an average of $53.33...
    book = build_lots(trades(), {"XLK": (D(30), D(1600) / D(30))}, [split])
    lots = book.of("XLK")
    assert [(lot.qty, lot.cost, lot.acquired) for lot in lots] == [
        (D(20), D("50.00"), date(2025, 1, 6)),
        (D(10), D("60.00"), date(2026, 2, 2)),
    ]
    assert sum(lot.basis for lot in lots) == D(1600)  # the basis is unchanged


def test_without_the_split_the_lots_gain_a_phantom_zero_cost_lot():
    # What trader did before it read splits: 15 known shares, 30 held.
    book = build_lots(trades(), {"XLK": (D(30), D(1600) / D(30))})
    phantom = book.of("XLK")[0]
    assert (phantom.qty, phantom.acquired) == (D(15), None)
    assert phantom.cost.quantize(D("0.01")) == D("0.00")


def test_two_splits_in_a_row_then_a_sale():
    forward = Split("XLK", SPLIT_DAY, D(1), D(2))
    reverse = Split("XLK", date(2026, 3, 9), D(4), D(1))
    sale = Trade("XLK", SELL, D(6), D("250.00"), date(2026, 3, 16))
    book = build_lots([*trades(), sale], {"XLK": (D("1.5"), D(240))}, [forward, reverse])
    # After 2:1 then 1:4: 5 shares at $200 (2025-01-06) and 2.5 at $240 (2026-02-02).
    # The sale of 6 takes the 5 long-term shares and 1 of the short-term ones.
    (left,) = book.of("XLK")
    assert (left.qty, left.cost, left.acquired) == (D("1.5"), D("240.00"), date(2026, 2, 2))
    first, second = book.closed
    assert (first.qty, first.cost, first.gain, first.long_term) == (D(5), D(200), D(250), True)
    assert (second.qty, second.cost, second.gain, second.long_term) == (D(1), D(240), D(10), False)


def test_a_split_after_the_last_trade_still_applies_and_realize_sees_it():
    split = Split("XLK", SPLIT_DAY, D(1), D(4))
    book = build_lots(trades(), {"XLK": (D(60), D(1600) / D(60))}, [split])
    assert [lot.qty for lot in book.of("XLK")] == [D(40), D(20)]
    gain = realize(book.of("XLK"), D(40), D("30.00"), date(2026, 3, 3))
    assert (gain.long_term, gain.short_term) == (D(200), D(0))  # 40 x (30 - 25)
