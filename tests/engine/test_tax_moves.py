"""Tax-loss harvesting, the wash-sale windows and trailing stops, in the engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from trader.core.domain import Side
from trader.core.engine import plan_rebalance
from trader.core.lots import Lot
from trader.core.policy import Holding, Policy, Portfolio
from trader.core.wash import WashWindows

D = Decimal
TODAY = date(2026, 11, 24)
POLICY = Policy(
    target_allocation={"energy": D(50), "tech": D(50)},
    categories={"energy": ("XLE", "VDE"), "tech": ("XLK", "VGT")},
    drift_threshold=D(5),
    min_trade_dollars=D(10),
    max_trades_per_session=6,
    max_single_position=D(100),
    tax_loss_harvesting=True,
    tlh_min_loss_dollars=D(100),
    tlh_min_loss_pct=D(5),
    short_term_tax_rate=D(24),
    long_term_tax_rate=D(15),
)


def brief_portfolio(**changes) -> Portfolio:
    """The brief's example: XLE bought at $70, now $60 (10 shares: a $100 loss)."""
    base = Portfolio(
        cash=D(0),
        holdings=(
            Holding("XLE", D(10), D(60), D(70)),
            Holding("VDE", D(0), D(120)),
            Holding("XLK", D(3), D(200), D(150)),
            Holding("VGT", D(0), D(500)),
        ),
        today=TODAY,
        lots={
            "XLE": (Lot("XLE", D(10), D(70), date(2026, 6, 1)),),
            "XLK": (Lot("XLK", D(3), D(150), date(2024, 6, 1)),),
        },
    )
    return replace(base, **changes)


def orders(plan):
    return [(o.side, o.symbol, o.qty, o.kind) for o in plan.orders]


def test_the_brief_example_sells_xle_at_a_loss_and_buys_vde():
    plan = plan_rebalance(POLICY, brief_portfolio())
    assert not plan.due  # 600 and 600: both categories on target
    assert orders(plan) == [
        (Side.SELL, "XLE", D(10), "harvest"),
        (Side.BUY, "VDE", D(5), "harvest"),  # 600 / 120
    ]
    sell = plan.orders[0]
    assert (sell.est_realized_pl, sell.est_short_term, sell.est_long_term) == (D(-100), D(-100), 0)
    # A short-term loss of 100 at 24%: about 24 of tax saved. Not tax advice.
    assert plan.tax.harvested_loss == -100 and plan.tax.tax_saved == D(24)
    assert plan.cash_after == 0


@pytest.mark.parametrize(
    ("min_dollars", "min_pct", "harvested"),
    [(D(100), D(5), True), (D("100.01"), D(5), False), (D(100), D("14.3"), False)],
)
def test_a_harvest_needs_a_loss_beyond_both_thresholds(min_dollars, min_pct, harvested):
    # The loss is 100 on a cost of 700: 14.29%.
    policy = replace(POLICY, tlh_min_loss_dollars=min_dollars, tlh_min_loss_pct=min_pct)
    assert bool(plan_rebalance(policy, brief_portfolio()).orders) is harvested


def test_no_harvest_of_a_symbol_bought_in_the_last_30_days():
    wash = WashWindows(last_buy={"XLE": date(2026, 11, 14)})  # 10 days ago
    plan = plan_rebalance(POLICY, brief_portfolio(wash=wash))
    assert plan.orders == ()
    (skip,) = plan.skipped
    assert skip.symbol == "XLE" and "bought on 2026-11-14 (within 30 days)" in skip.reason
    # On day 31 the window is closed.
    later = WashWindows(last_buy={"XLE": date(2026, 10, 24)})
    assert orders(plan_rebalance(POLICY, brief_portfolio(wash=later)))[0][1] == "XLE"


def test_no_swap_into_a_symbol_sold_at_a_loss_in_the_last_30_days():
    wash = WashWindows(last_loss_sale={"VDE": date(2026, 11, 14)})
    plan = plan_rebalance(POLICY, brief_portfolio(wash=wash))
    assert plan.orders == ()
    assert "VDE was sold at a loss on 2026-11-14 (wash-sale window)" in plan.skipped[0].reason


def test_a_harvested_symbol_is_not_bought_back_for_31_days():
    # XLE was harvested 10 days ago; now energy is under target: the buy goes to VDE.
    wash = WashWindows(last_loss_sale={"XLE": date(2026, 11, 14)})
    portfolio = brief_portfolio(cash=D(600), wash=wash, lots={})
    plan = plan_rebalance(replace(POLICY, tax_loss_harvesting=False), portfolio)
    assert plan.due
    assert [(o.side, o.symbol) for o in plan.orders] == [(Side.BUY, "VDE"), (Side.BUY, "XLK")]
    # With every energy symbol in a window, energy is not bought, and the plan says why.
    both = WashWindows(last_loss_sale={"XLE": date(2026, 11, 14), "VDE": date(2026, 11, 20)})
    plan = plan_rebalance(replace(POLICY, tax_loss_harvesting=False), replace(portfolio, wash=both))
    assert "XLE" not in {o.symbol for o in plan.orders}
    assert "VDE" not in {o.symbol for o in plan.orders}
    (skip,) = [s for s in plan.skipped if s.category == "energy"]
    assert "would wash that loss" in skip.reason


def test_a_partial_lot_history_harvests_the_oldest_losing_lots_only():
    # Oldest lot at a loss (70 -> 60), newer lot at a gain (40 -> 60): Alpaca sells oldest
    # first, so the harvest sells the first 10 shares only: loss 100, not the net 60 of all.
    lots = (
        Lot("XLE", D(10), D(70), date(2026, 1, 5)),
        Lot("XLE", D(2), D(40), date(2026, 6, 1)),
    )
    portfolio = brief_portfolio(
        holdings=(
            Holding("XLE", D(12), D(60), D(65)),
            Holding("VDE", D(0), D(120)),
            Holding("XLK", D(3.6), D(200), D(150)),
            Holding("VGT", D(0), D(500)),
        ),
        lots={"XLE": lots},
    )
    plan = plan_rebalance(POLICY, portfolio)
    sell = next(o for o in plan.orders if o.kind == "harvest" and o.side is Side.SELL)
    assert (sell.symbol, sell.qty, sell.est_realized_pl) == ("XLE", D(10), D(-100))


def test_rebalancing_sells_the_holding_that_realizes_the_least_gain():
    # Technology must shed 400: XLK's lots carry a big gain, VGT's a loss: sell VGT first.
    policy = replace(POLICY, tax_loss_harvesting=False)
    portfolio = Portfolio(
        cash=D(0),
        holdings=(
            Holding("XLE", D(10), D(50), D(50)),
            Holding("XLK", D(3), D(200), D(100)),
            Holding("VGT", D(0.8), D(500), D(600)),
            Holding("VDE", D(0), D(120)),
        ),
        today=TODAY,
        lots={
            "XLK": (Lot("XLK", D(3), D(100), date(2024, 1, 2)),),
            "VGT": (Lot("VGT", D("0.8"), D(600), date(2026, 1, 2)),),
        },
    )
    plan = plan_rebalance(policy, portfolio)
    assert [(o.side, o.symbol) for o in plan.orders][0] == (Side.SELL, "VGT")


def test_a_winner_that_falls_below_its_trailing_stop_is_sold():
    policy = replace(POLICY, tax_loss_harvesting=False, trailing_stop=D(10))
    # XLK cost 150, peaked at 230, now 200: 13% below the peak, trigger 207. Sold whole.
    plan = plan_rebalance(policy, brief_portfolio(peaks={"XLK": D(230), "XLE": D(90)}))
    (stop,) = [o for o in plan.orders if o.kind == "trailing_stop"]
    assert (stop.side, stop.symbol, stop.qty) == (Side.SELL, "XLK", D(3))
    assert "peaked at $230.00" in stop.reason and "trigger of $207.00" in stop.reason
    assert "gain of about $150.00" in stop.reason
    # Technology is not bought back in the same plan, and XLE (a loser) has no stop.
    assert [o.symbol for o in plan.orders] == ["XLK"]
    assert any("XLK hit its trailing stop: 'tech' is not bought back" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("confirmed", "fires", "said"),
    [
        (None, True, None),  # every price confirmed (a backtest's closes)
        ({"XLK": D("200")}, True, None),  # a second source agrees at or below the trigger
        ({"XLK": D("206.99")}, True, None),
        ({}, False, "no second source"),  # nothing agrees with the price
        ({"XLK": D("207.01")}, False, "the confirmed price $207.01 is above the trigger"),
    ],
)
def test_a_trailing_stop_fires_only_on_a_confirmed_price(confirmed, fires, said):
    policy = replace(POLICY, tax_loss_harvesting=False, trailing_stop=D(10))
    portfolio = brief_portfolio(peaks={"XLK": D(230)}, confirmed=confirmed)
    plan = plan_rebalance(policy, portfolio)
    assert [o.kind for o in plan.orders] == (["trailing_stop"] if fires else [])
    warned = [w for w in plan.warnings if "trailing stop was not fired" in w]
    if said is None:
        assert warned == []
    else:
        (warning,) = warned
        assert warning.startswith(
            "XLK: the trailing stop was not fired: its price $200.00 is at or below the "
            "trigger of $207.00 (peak $230.00), but "
        )
        assert said in warning


@pytest.mark.parametrize("peak", [D("222.22"), None])
def test_no_trailing_stop_above_the_trigger_or_without_a_peak(peak):
    policy = replace(POLICY, tax_loss_harvesting=False, trailing_stop=D(10))
    peaks = {"XLK": peak} if peak is not None else {}
    assert plan_rebalance(policy, brief_portfolio(peaks=peaks)).orders == ()


def test_a_stop_alone_trades_nothing_else_and_only_warns_of_caps():
    # No band is broken (energy 700 of 1,300 is 53.8%, +3.8 points); XLE is over the 50%
    # single-position cap and XLK hits its stop: the stop sells, the cap is only warned
    # about (it is trimmed at the next rebalance), as when nothing at all is due.
    policy = replace(
        POLICY, tax_loss_harvesting=False, trailing_stop=D(10), max_single_position=D(50)
    )
    portfolio = brief_portfolio(
        holdings=(
            Holding("XLE", D(10), D(70), D(50)),
            Holding("XLK", D(3), D(200), D(150)),
            Holding("VDE", D(0), D(120)),
            Holding("VGT", D(0), D(500)),
        ),
        peaks={"XLK": D(230)},
    )
    plan = plan_rebalance(policy, portfolio)
    assert not plan.due
    assert [(o.symbol, o.kind) for o in plan.orders] == [("XLK", "trailing_stop")]
    assert any("XLE is 53.85% of the investable value" in w for w in plan.warnings)


def washed_portfolio() -> Portfolio:
    """XLK: 2 shares bought at 250 in June and 1 at 210 ten days ago; now 200."""
    return Portfolio(
        cash=D(0),
        holdings=(
            Holding("XLE", D(8), D(50), D(50)),
            Holding("XLK", D(3), D(200), D(710) / 3),
            Holding("VGT", D(0), D(500)),
            Holding("VDE", D(0), D(120)),
        ),
        today=TODAY,
        lots={
            "XLE": (Lot("XLE", D(8), D(50), date(2025, 1, 2)),),
            "XLK": (
                Lot("XLK", D(2), D(250), date(2026, 6, 1)),
                Lot("XLK", D(1), D(210), date(2026, 11, 14)),
            ),
        },
    )


def test_a_rebalancing_sell_at_a_loss_after_a_buy_10_days_earlier_is_washed():
    # 1,000 in all, 500 a side: technology (600) sells 100 = 0.5 XLK. FIFO sells from the
    # June lot (cost 250) at 200: a loss of 0.5 * 50 = 25.00. The share bought on
    # 2026-11-14 (10 days ago) is kept: it replaces the 0.5 shares sold, so the whole
    # 25.00 is washed. Nothing counts for tax, nothing is saved.
    plan = plan_rebalance(replace(POLICY, tax_loss_harvesting=False), washed_portfolio())
    sell = plan.orders[0]
    assert (sell.side, sell.symbol, sell.qty, sell.kind) == (
        Side.SELL,
        "XLK",
        D("0.5"),
        "rebalance",
    )
    assert sell.est_realized_pl == D("-25.00")
    assert sell.est_washed == D("25.00")
    assert (sell.est_short_term, sell.est_long_term) == (0, 0)
    assert "washed: $25.00 of the loss is disallowed" in sell.reason
    assert plan.tax.washed_loss == D("25.00")
    assert plan.tax.short_term_losses == 0 and plan.tax.tax_saved == 0
    assert plan.tax.estimated_tax == 0


def test_a_category_sells_the_symbol_whose_loss_is_not_washed():
    # VGT and XLK both sit at a loss of 50 a share (250 -> 200); XLK was also bought 10
    # days ago, so its loss would be washed: technology sells VGT, whose loss counts.
    portfolio = washed_portfolio()
    portfolio = replace(
        portfolio,
        holdings=(
            Holding("XLE", D(8), D(50), D(50)),
            Holding("XLK", D(3), D(200), D(710) / 3),
            Holding("VGT", D(1), D(200), D(250)),
            Holding("VDE", D(0), D(120)),
        ),
        lots={**portfolio.lots, "VGT": (Lot("VGT", D(1), D(250), date(2026, 6, 1)),)},
    )
    plan = plan_rebalance(replace(POLICY, tax_loss_harvesting=False), portfolio)
    sell = plan.orders[0]
    assert (sell.side, sell.symbol) == (Side.SELL, "VGT")
    assert sell.est_washed is None and sell.est_short_term < 0


def test_a_blocked_harvest_is_listed_with_its_rule_window_end_and_loss():
    wash = WashWindows(last_buy={"XLE": date(2026, 11, 14)})
    plan = plan_rebalance(POLICY, brief_portfolio(wash=wash))
    assert plan.orders == ()
    (skip,) = plan.skipped
    assert (skip.symbol, skip.side, skip.category) == ("XLE", Side.SELL, "energy")
    # 10 shares bought at 70, now 60: a loss of 100 left unharvested until 2026-12-14.
    assert skip.reason == (
        "wash-sale window: a loss of $100.00 on XLE is not harvested, XLE was bought on "
        "2026-11-14 (within 30 days); the window ends 2026-12-14"
    )


def test_an_unharvested_loss_on_a_holding_in_no_category_says_so():
    base = brief_portfolio()
    portfolio = replace(
        base,
        holdings=(*base.holdings, Holding("ABC", D(10), D(40), D(60))),
        lots={**base.lots, "ABC": (Lot("ABC", D(10), D(60), date(2026, 3, 1)),)},
    )
    plan = plan_rebalance(POLICY, portfolio)
    [reason] = [s.reason for s in plan.skipped if s.symbol == "ABC" and "loss" in s.reason]
    assert "ABC is in no category and no tax_equivalents are set for it" in reason, reason
    assert "its category has no other symbol" not in reason
