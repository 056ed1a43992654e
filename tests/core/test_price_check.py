"""``check_price``: a price is trusted only when the trade, the quote midpoint, the previous
close and the stored price agree with it; every figure hand-checked."""

from __future__ import annotations

from decimal import Decimal

from trader.core.price_check import PriceEvidence, check_price, gap_pct

D = Decimal
BAND, MOVE = D(5), D(100)  # the defaults


def test_agreeing_sources_give_the_price():
    # 400 against a 399.90/400.10 quote (midpoint 400, 0.05% wide) and a 396 close.
    check = check_price(
        PriceEvidence("QQQ", D(400), D(400), D("399.90"), D("400.10"), D(396), D(398)),
        BAND,
        MOVE,
    )
    assert check.trusted and check.price == D(400)


def test_gaps_are_symmetric():
    assert gap_pct(D(40), D(400)) == gap_pct(D(400), D(40)) == D(900)


def test_a_tenfold_low_trade_against_its_quote_is_refused_with_the_figures():
    check = check_price(PriceEvidence("QQQ", D(40), D(40), D(399), D(401)), BAND, MOVE)
    assert not check.trusted and check.price is None
    # 400 / 40 - 1 = 900%; the quote 399/401 is 0.5% wide around 400.
    assert check.reason == (
        "QQQ: price 40.00 not trusted: the quote midpoint 400.00 (spread 0.5%) is 900% away "
        "(band 5%)"
    )


def test_a_quote_wider_than_the_band_only_bounds_the_price():
    # 90/110 around 100: 20% wide, too wide to vouch for its midpoint; 100 lies inside.
    assert check_price(PriceEvidence("X", D(100), D(100), D(90), D(110)), BAND, MOVE).trusted
    # 120 is 120 / 110 - 1 = 9.1% above the ask: outside the 5% band around the range.
    check = check_price(PriceEvidence("X", D(120), D(120), D(90), D(110)), BAND, MOVE)
    assert "9.1% outside the quote 90.00/110.00 (20% wide; band 5%)" in (check.reason or "")
    # 115 is 4.5% above the ask: within the band.
    assert check_price(PriceEvidence("X", D(115), D(115), D(90), D(110)), BAND, MOVE).trusted


def test_a_one_sided_or_crossed_quote_is_no_evidence():
    for bid, ask in ((None, D(101)), (D(101), D(99))):
        assert check_price(PriceEvidence("X", D(100), D(100), bid, ask), BAND, MOVE).trusted


def test_a_move_beyond_the_limit_needs_a_corporate_action():
    # 20 after a 200 close: 900% apart, the limit 100% (a halving or a doubling).
    bare = PriceEvidence("XLK", D(20), D(20), D("19.99"), D("20.01"), D(200), D(200))
    refused = check_price(bare, BAND, MOVE)
    assert "moved 900% from the previous close 200.00 (limit 100%)" in (refused.reason or "")
    assert "from the last stored price 200.00" in (refused.reason or "")
    explained = PriceEvidence(
        "XLK", D(20), D(20), D("19.99"), D("20.01"), D(200), D(200), "a split on 2026-11-25"
    )
    assert check_price(explained, BAND, MOVE).trusted
    # TQQQ's worst day (2020-03-16) lost about 34.6%: 100 -> 65.40 is 52.9% apart in
    # symmetric terms (100 / 65.40 - 1), within the limit; a halving (100%) is the edge.
    assert check_price(PriceEvidence("TQQQ", D("65.40"), previous_close=D(100)), BAND, MOVE).trusted
    assert check_price(PriceEvidence("TQQQ", D(50), previous_close=D(100)), BAND, MOVE).trusted
    assert not check_price(
        PriceEvidence("T", D("49.99"), previous_close=D(100)), BAND, MOVE
    ).trusted


def test_no_price_is_untrusted():
    assert not check_price(PriceEvidence("X", None), BAND, MOVE).trusted
