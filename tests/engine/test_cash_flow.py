"""Cash-flow rebalancing in the engine: a deposit, a withdrawal, buy-only and ``prefer``.

The seed account is the brief's (``conftest``): $3,400 cash, $1,000 reserve, XLK 3,200,
XLV 1,600, XLF 900, XLE 800, SPY 1,200, TQQQ 1,000, TLT 400; equity $12,500. Positions are
worth exactly those dollars, so every figure is checked by hand. The relative band is off
(absolute 5-point bands only) unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from conftest import BRIEF_POLICY, SEED_VALUES, D, exact_portfolio
from hypothesis import given, settings
from hypothesis import strategies as st

from trader.core.domain import Side
from trader.core.engine import Action, CashFlow, PlanKind, apply_plan, plan_rebalance
from trader.core.engine.cash_flow import invest_reason, level, share_out
from trader.core.lots import Lot
from trader.core.policy import CashFlowMode, Holding, Policy, Portfolio

CENT = D("0.01")
SEED = exact_portfolio(SEED_VALUES, D(3400))
ABSOLUTE = replace(BRIEF_POLICY, relative_threshold=None)


def orders(plan):
    return [(o.side, o.symbol, o.est_value.quantize(CENT)) for o in plan.orders]


def after_pct(plan):
    return {row.category: row.current_pct.quantize(CENT) for row in plan.allocation_after}


def test_a_deposit_into_the_seed_account_buys_the_most_underweight_first():
    # $2,000 deposited: investable 12,500 + 2,000 - 1,000 = 13,500, cash above the reserve
    # 3,400 + 2,000 - 1,000 = 4,400. Targets of 13,500 and what each category lacks:
    # nasdaq 1,350 (0 held), financials 2,025 - 900 = 1,125, utilities 675, energy
    # 1,350 - 800 = 550, healthcare 2,025 - 1,600 = 425, leveraged 350, bonds 275,
    # sp500 150; technology is 500 over (2,700). The 4,400 fills them down to a common
    # shortfall L: over all eight, (4,900 - 4,400) / 8 = 62.50, which leaves sp500 only
    # 87.50, under the $100 minimum; so sp500 gets nothing and, over the other seven,
    # L = (4,750 - 4,400) / 7 = 50: each is bought to $50 short of its target.
    policy = replace(ABSOLUTE, max_trades_per_session=None, cash_flow=CashFlowMode.BUY_ONLY)
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(deposit=D(2000)))
    assert plan.cash_flow.kind is PlanKind.BUY_ONLY
    assert plan.investable == 13500 and plan.cash == 3400 and plan.equity == 12500
    assert orders(plan) == [
        (Side.BUY, "QQQ", D("1300.00")),
        (Side.BUY, "XLF", D("1075.00")),
        (Side.BUY, "XLU", D("625.00")),
        (Side.BUY, "XLE", D("500.00")),
        (Side.BUY, "XLV", D("375.00")),
        (Side.BUY, "TQQQ", D("300.00")),
        (Side.BUY, "TLT", D("225.00")),
    ]
    assert [(s.symbol, s.side) for s in plan.skipped] == [("SPY", Side.BUY)]
    assert "under min_trade_dollars ($100.00)" in plan.skipped[0].reason
    # All 4,400 spent: cash after is the reserve (to the 9-decimal rounding of quantities).
    assert abs(plan.cash_after - 1000) < CENT and plan.cash_flow.notes == ()
    # Every category bought ends 50 / 13,500 = 0.37 points under target.
    assert after_pct(plan) == {
        "technology": D("23.70"),  # 3,200 / 13,500, held: no sell
        "healthcare": D("14.63"),
        "financials": D("14.63"),
        "energy": D("9.63"),
        "sp500": D("8.89"),  # 1,200 / 13,500
        "nasdaq": D("9.63"),
        "leveraged_long": D("9.63"),
        "bonds": D("4.63"),
        "utilities": D("4.63"),
    }


def test_prefer_keeps_the_buys_when_they_fix_every_band():
    # The same deposit under `prefer` with the trade cap of 5: financials (6.67%, -8.33)
    # and nasdaq (0%, -10) are out of band. The five most underweight are bought to target
    # (nasdaq 1,350, financials 1,125, utilities 675, energy 550, healthcare 425 = 4,125).
    # The trade cap keeps the other 275 from leveraged, bonds and sp500: it is shared
    # evenly among the five bought, 55 each past its target (each was further below).
    # Every category then holds: technology +3.70, sp500 -1.11, leveraged -2.59, bonds
    # -2.04, and the five bought +55 / 13,500 = +0.41.
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.PREFER)
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(deposit=D(2000)))
    assert plan.cash_flow.kind is PlanKind.BUY_ONLY
    assert plan.cash_flow.reason == "the buys alone bring every category within its band"
    assert orders(plan) == [
        (Side.BUY, "QQQ", D("1405.00")),
        (Side.BUY, "XLF", D("1180.00")),
        (Side.BUY, "XLU", D("730.00")),
        (Side.BUY, "XLE", D("605.00")),
        (Side.BUY, "XLV", D("480.00")),
    ]
    assert "takes $55.00 (0.41 points) past its target" in plan.orders[0].reason
    assert [(s.symbol, "max_trades_per_session (5)" in s.reason) for s in plan.skipped] == [
        ("TQQQ", True),
        ("TLT", True),
        ("SPY", True),
    ]
    assert abs(plan.cash_after - 1000) < CENT and plan.cash_flow.notes == ()
    assert after_pct(plan)["nasdaq"] == D("10.41")
    assert all(row.action is Action.HOLD for row in plan.allocation_after)


def test_a_deposit_that_cannot_fix_a_band_falls_back_to_the_full_rebalance():
    # $1,000 deposited: investable 12,500. Technology is 3,200 / 12,500 = 25.60%, 5.60
    # points over its 5-point band: buys cannot lower a share of the investable value,
    # only a sale can. So `prefer` plans the full rebalance, and says why: technology back
    # to 2,500 (sell 700), nasdaq to 1,250 and financials 900 -> 1,875 (buy 975).
    # Cash after: 3,400 + 1,000 + 700 - 2,225 = 2,875.
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.PREFER)
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(deposit=D(1000)))
    assert plan.cash_flow.kind is PlanKind.FULL
    assert plan.cash_flow.reason == (
        "buys alone are not enough: technology would stay 5.60 points above target, beyond "
        "its 5.00-point band (only a sale brings it back); so the plan is the full rebalance"
    )
    assert orders(plan) == [
        (Side.SELL, "XLK", D("700.00")),
        (Side.BUY, "QQQ", D("1250.00")),
        (Side.BUY, "XLF", D("975.00")),
    ]
    assert abs(plan.cash_after - 2875) < CENT


def test_a_withdrawal_that_must_cross_categories():
    # $4,500 out: investable 12,500 - 1,000 - 4,500 = 7,000; the sells must bring in
    # 1,000 + 4,500 - 3,400 = 2,100. Over target of 7,000: technology 3,200 - 1,400 = 1,800,
    # healthcare 1,600 - 1,050 = 550, sp500 1,200 - 700 = 500, leveraged 300, energy 100,
    # bonds 50. Cut to a common excess L: over the four largest, (3,150 - 2,100) / 4 =
    # 262.50 leaves leveraged 37.50, under the $100 minimum; over three, L = (2,850 - 2,100)
    # / 3 = 250: sell technology 1,550, healthcare 300, sp500 250.
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.BUY_ONLY)
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(withdrawal=D(4500)))
    assert plan.cash_flow.kind is PlanKind.SELL_ONLY
    assert plan.investable == 7000 and plan.reserve == 1000
    assert orders(plan) == [
        (Side.SELL, "XLK", D("1550.00")),
        (Side.SELL, "XLV", D("300.00")),
        (Side.SELL, "SPY", D("250.00")),
    ]
    assert "once $4,500.00 is withdrawn" in plan.orders[0].reason
    # 3,400 + 2,100 = 5,500: the reserve plus the withdrawal, to the cent.
    assert abs(plan.cash_after - 5500) < CENT
    assert plan.cash_after >= D(5500) - D("0.000001")
    # The three sold categories end 250 / 7,000 = 3.57 points over target.
    assert after_pct(plan)["technology"] == D("23.57")
    assert after_pct(plan)["healthcare"] == D("18.57")
    assert after_pct(plan)["sp500"] == D("13.57")


def test_a_withdrawal_the_cash_already_covers_sells_nothing():
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.BUY_ONLY)
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(withdrawal=D(2000)))
    assert plan.orders == ()
    assert "already covers the withdrawal" in plan.cash_flow.notes[0]


# A small account in whole shares: A 40%, B 30%, C 20%, D 10%; no reserve, $100 minimum,
# two trades a session.
WHOLE_POLICY = Policy(
    target_allocation={"a": D(40), "b": D(30), "c": D(20), "d": D(10)},
    categories={"a": ("A",), "b": ("B",), "c": ("C",), "d": ("D",)},
    min_trade_dollars=D(100),
    max_trades_per_session=2,
    fractional_shares=False,
    cash_flow=CashFlowMode.BUY_ONLY,
)


def test_buy_only_with_whole_shares_and_a_trade_cap():
    # Equity 10,000: A 23 x 130 = 2,990, B 42 x 50 = 2,100, C 7 x 200 = 1,400, D 40 x 25 =
    # 1,000, cash 2,510. Short of target: A 1,010, B 900, C 600 (D is on it). Two trades:
    # A and B, the most underweight, each to target (1,910 of the 2,510). The trade cap
    # keeps the other 600 from C: A and B share it, 300 each past target (each may go at
    # most 500 past it, its 5-point band, and was further below). Goals: A 2,990 + 1,310 =
    # 4,300 and B 2,100 + 1,200 = 3,300. In whole shares A takes 10 (1,300: 10 short of
    # its goal; 11 would be 120 over), B exactly 24; 2,510 - 2,500 = 10 stays in cash.
    # A ends at 42.90% (+2.90, was -10.10), B 33.00% (+3.00, was -9.00); C waits.
    portfolio = Portfolio(
        cash=D(2510),
        holdings=(
            Holding("A", D(23), D(130), fractionable=False),
            Holding("B", D(42), D(50)),
            Holding("C", D(7), D(200)),
            Holding("D", D(40), D(25)),
        ),
    )
    plan = plan_rebalance(WHOLE_POLICY, portfolio)
    assert plan.due and plan.cash_flow.kind is PlanKind.BUY_ONLY
    assert [(o.side, o.symbol, o.qty) for o in plan.orders] == [
        (Side.BUY, "A", D(10)),
        (Side.BUY, "B", D(24)),
    ]
    assert plan.cash_after == 10
    assert after_pct(plan) == {"a": D("42.90"), "b": D("33.00"), "c": D("14.00"), "d": D("10.00")}
    assert [(s.symbol, s.reason) for s in plan.skipped] == [
        (
            "C",
            "over max_trades_per_session (2): a buy-only plan buys the most underweight "
            "categories first",
        )
    ]
    assert plan.cash_flow.notes == (
        "$10.00 of the cash above the reserve stays uninvested: less than min_trade_dollars "
        "($100.00)",
    )


def test_buy_only_skips_a_category_in_a_wash_sale_window():
    # C may not be bought (sold at a loss 10 days ago): the cash goes to A and B only,
    # as in the trade-cap case above: A 10 shares, B 24.
    from trader.core.wash import WashWindows

    portfolio = Portfolio(
        cash=D(2510),
        holdings=(
            Holding("A", D(23), D(130)),
            Holding("B", D(42), D(50)),
            Holding("C", D(7), D(200)),
            Holding("D", D(40), D(25)),
        ),
        today=date(2026, 11, 24),
        wash=WashWindows(last_loss_sale={"C": date(2026, 11, 14)}),
    )
    plan = plan_rebalance(replace(WHOLE_POLICY, max_trades_per_session=None), portfolio)
    assert {o.symbol: o.qty for o in plan.orders} == {"A": D(10), "B": D(24)}
    assert [(s.symbol, "wash" in s.reason) for s in plan.skipped] == [("C", True)]


def test_within_a_category_a_withdrawal_sells_the_loss_first_and_never_a_washed_loss():
    # sp500 holds SPY (a gain) and VOO (a loss). The withdrawal needs 500: VOO is sold,
    # its loss harvested. Had VOO been bought again within 30 days, that loss would be
    # washed: SPY is sold instead, even at a gain.
    today = date(2026, 11, 24)
    policy = Policy(
        target_allocation={"sp500": D(50), "bonds": D(50)},
        categories={"sp500": ("SPY", "VOO"), "bonds": ("TLT",)},
        cash_flow=CashFlowMode.BUY_ONLY,
    )
    lots = {
        "SPY": (Lot("SPY", D(10), D(400), date(2024, 1, 2)),),
        "VOO": (Lot("VOO", D(10), D(500), date(2025, 6, 2)),),
        "TLT": (Lot("TLT", D(50), D(100), date(2024, 1, 2)),),
    }
    holdings = (
        Holding("SPY", D(10), D(480), D(400)),
        Holding("VOO", D(10), D(440), D(500)),
        Holding("TLT", D(50), D(100), D(100)),
    )
    portfolio = Portfolio(cash=D(0), holdings=holdings, today=today, lots=lots)
    # Equity 14,200; 500 out leaves 13,700: sp500 9,200 is 2,350 over its 6,850, bonds
    # 5,000 under: all 500 comes from sp500.
    plan = plan_rebalance(policy, portfolio, cash_flow=CashFlow(withdrawal=D(500)))
    assert [(o.side, o.symbol) for o in plan.orders] == [(Side.SELL, "VOO")]
    assert plan.orders[0].est_realized_pl < 0
    washed = dict(lots, VOO=(*lots["VOO"], Lot("VOO", D(1), D(430), date(2026, 11, 20))))
    held = (holdings[0], Holding("VOO", D(11), D(440), D(494)), holdings[2])
    plan = plan_rebalance(
        policy,
        replace(portfolio, holdings=held, lots=washed),
        cash_flow=CashFlow(withdrawal=D(500)),
    )
    assert [(o.side, o.symbol) for o in plan.orders] == [(Side.SELL, "SPY")]
    assert plan.orders[0].est_realized_pl > 0


def test_buy_only_never_sells_not_even_a_harvest_or_a_trailing_stop():
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.BUY_ONLY, tax_loss_harvesting=True)
    plan = plan_rebalance(policy, SEED)
    assert plan.orders and all(o.side is Side.BUY for o in plan.orders)
    assert "no tax-loss harvest" in " ".join(plan.cash_flow.notes)


def test_full_mode_is_the_rebalance_as_before():
    # cash_flow full, no cash flow: the seed account's plan is exactly the brief's.
    full = plan_rebalance(ABSOLUTE, SEED)
    assert full.cash_flow.kind is PlanKind.FULL and full.cash_flow.mode is CashFlowMode.FULL
    prefer = plan_rebalance(replace(ABSOLUTE, cash_flow=CashFlowMode.PREFER), SEED)
    # Technology is over its band: buys alone cannot fix it, so prefer is the same plan.
    assert prefer.cash_flow.kind is PlanKind.FULL
    assert orders(prefer) == orders(full)


def test_nothing_due_and_no_cash_flow_is_no_plan_under_prefer():
    # Every category at its target of 11,500 and only the reserve in cash.
    balanced = exact_portfolio(
        {
            "XLK": D(2300),
            "XLV": D(1725),
            "XLF": D(1725),
            "XLE": D(1150),
            "SPY": D(1150),
            "QQQ": D(1150),
            "TQQQ": D(1150),
            "TLT": D(575),
            "XLU": D(575),
        },
        D(1000),
    )
    plan = plan_rebalance(replace(ABSOLUTE, cash_flow=CashFlowMode.PREFER), balanced)
    assert plan.cash_flow.kind is PlanKind.NONE and not plan.due and plan.orders == ()


@pytest.mark.parametrize(
    ("gaps", "amount", "shares"),
    [
        ({"a": D(300), "b": D(100)}, D(200), {"a": D(200), "b": D(0)}),
        ({"a": D(300), "b": D(100)}, D(300), {"a": D(250), "b": D(50)}),
        ({"a": D(300), "b": D(100)}, D(500), {"a": D(300), "b": D(100)}),
        ({"a": D(100), "b": D(100), "c": D(100)}, D(150), {"a": D(50), "b": D(50), "c": D(50)}),
    ],
)
def test_levelling_fills_the_largest_gaps_down_to_one_level(gaps, amount, shares):
    assert level(gaps, amount) == shares


def test_sharing_out_drops_a_share_under_the_minimum_unless_a_withdrawal_needs_it():
    gaps = {"a": D(300), "b": D(100)}
    assert share_out(gaps, D(300), D(100), None) == {"a": D(300)}
    assert share_out(gaps, D(350), D(100), None, must_cover=True) == {"a": D(275), "b": D(75)}
    assert share_out(gaps, D(350), D(0), 1) == {"a": D(300)}


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 5000), min_size=9, max_size=9),
    cash=st.integers(0, 20000),
    flow=st.integers(0, 8000),
    withdraw=st.booleans(),
    fractional=st.booleans(),
)
def test_one_way_plans_trade_one_way_and_keep_the_reserve(values, cash, flow, withdraw, fractional):
    symbols = ["XLK", "XLV", "XLF", "XLE", "SPY", "TQQQ", "TLT", "QQQ", "XLU"]
    portfolio = exact_portfolio(dict(zip(symbols, map(Decimal, values), strict=True)), D(cash))
    if not fractional:
        portfolio = replace(
            portfolio,
            holdings=tuple(
                replace(h, qty=h.qty.to_integral_value(rounding="ROUND_FLOOR"))
                for h in portfolio.holdings
            ),
        )
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.BUY_ONLY, fractional_shares=fractional)
    room = portfolio.equity - policy.cash_reserve
    cash_flow = (
        CashFlow(withdrawal=min(D(flow), max(room, D(0))))
        if withdraw
        else CashFlow(deposit=D(flow))
    )
    plan = plan_rebalance(policy, portfolio, cash_flow=cash_flow)
    if plan.cash_flow.kind is PlanKind.BUY_ONLY:
        assert all(o.side is Side.BUY for o in plan.orders)
        assert not plan.orders or plan.cash_after >= policy.cash_reserve
        # A category bought ends within its band, and at least as close to its target.
        for before, after in zip(plan.allocation, plan.allocation_after, strict=True):
            if after.current_value > before.current_value and fractional:
                assert after.drift_pct <= after.band_pct + D("0.0001")
                assert abs(after.drift_pct) <= abs(before.drift_pct) + D("0.0001")
    elif plan.cash_flow.kind is PlanKind.SELL_ONLY:
        assert all(o.side is Side.SELL for o in plan.orders)
        short = plan.cash_after < policy.cash_reserve + cash_flow.withdrawal
        if plan.orders and short:
            assert any("not enough to sell" in w for w in plan.warnings)
    applied = apply_plan(replace(portfolio, cash=portfolio.cash + cash_flow.deposit), plan)
    assert applied.cash == plan.cash_after


# -- the words of the cash-flow notes ------------------------------------------------------------
CASH_TARGETS = {**BRIEF_POLICY.target_allocation, "technology": D(10), "cash": D(10)}


def test_a_withdrawal_that_leaves_cash_under_its_target_says_a_sale_brings_it_back():
    # Investable 10,000, every category at its target, cash 1,000 above the reserve (its
    # 10% target). $2,000 out: the sells raise 1,000 of it and cash ends 10 points below
    # target. For cash a sale raises it: it is never "only a buy brings it back".
    values = {"XLK": D(1000), "XLV": D(1500), "XLF": D(1500), "XLE": D(1000), "SPY": D(1000)}
    values |= {"QQQ": D(1000), "TQQQ": D(1000), "TLT": D(500), "XLU": D(500)}
    policy = replace(
        ABSOLUTE,
        target_allocation=CASH_TARGETS,
        cash_flow=CashFlowMode.PREFER,
        max_trades_per_session=None,
    )
    plan = plan_rebalance(
        policy, exact_portfolio(values, D(2000)), cash_flow=CashFlow(withdrawal=D(2000))
    )
    assert plan.cash_flow.reason == (
        "the withdrawal's sells alone are not enough: cash would stay 10.00 points below "
        "target, beyond its 5.00-point band (only a sale brings it back); so the plan is the "
        "full rebalance"
    )


def test_the_buy_buffer_note_gives_the_share_kept_when_whole_shares_spend_past_the_budget():
    # Whole shares, a 5% buffer and a 10% cash target: cash above the reserve and the
    # cash target is 12,407.60, so the budget that keeps 5% is 12,407.60 / 1.05 = 11,816.76;
    # whole shares buy 11,918, and the 489.60 left is 4.11% of the buys, not 5%.
    values = {"XLK": D(118), "XLV": D(2161), "XLF": D(908), "XLE": D(3128), "SPY": D(1793)}
    values |= {"TQQQ": D(3846), "TLT": D(2030)}
    policy = replace(
        ABSOLUTE,
        target_allocation=CASH_TARGETS,
        cash_flow=CashFlowMode.BUY_ONLY,
        fractional_shares=False,
        buy_buffer_pct=D(5),
        max_trades_per_session=None,
    )
    plan = plan_rebalance(
        policy, exact_portfolio(values, D(2409)), cash_flow=CashFlow(deposit=D(13931))
    )
    assert sum(o.est_value for o in plan.orders) == D(11918)
    assert plan.cash_flow.notes == (
        "$489.60 of the cash above the reserve stays uninvested: $489.60 is the buy buffer, "
        "kept for fill prices above the estimate (4.11% of the buys, not the 5% set: whole "
        "shares took the buys past the budget)",
    )


def test_a_buy_buffer_kept_whole_is_the_percent_set():
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.BUY_ONLY, buy_buffer_pct=D("2.5"))
    plan = plan_rebalance(policy, SEED, cash_flow=CashFlow(deposit=D(2000)))
    assert [n for n in plan.cash_flow.notes if "(2.5% of the buys, kept for fill" in n]


@pytest.mark.parametrize(
    ("past_target", "clause"),
    [
        (D("0.004"), None),  # rounds to $0.00: no clause at all
        (D("0.40"), "; it also takes $0.40 past its target,"),  # 0.00 points: not said
        (D("55"), "; it also takes $55.00 (0.41 points) past its target,"),
    ],
)
def test_the_invest_reason_says_no_zero_amount(past_target, clause):
    from trader.core.engine.allocation import AllocationRow

    row = AllocationRow("nasdaq", D(10), D(0), D(-10), Action.BUY, D(0), D(1350), D(5))
    why = invest_reason(row, past_target, D(13500))
    assert "$0.00" not in why and "(0.00 points)" not in why
    if clause is None:
        assert "past its target" not in why
    else:
        assert clause in why


def test_an_in_band_sale_of_a_plan_that_buys_nothing_says_it_raises_cash():
    # A full rebalance with a $3,000 withdrawal and $1,000 cash: every category is above its
    # target once the withdrawal leaves, so every order is a sale and none funds a buy.
    values = {"XLK": 2500, "XLV": 1850, "XLF": 1850, "XLE": 1250, "SPY": 1250, "TQQQ": 1250}
    values |= {"TLT": 650, "QQQ": 1250, "XLU": 650}
    policy = replace(ABSOLUTE, cash_flow=CashFlowMode.FULL, max_trades_per_session=None)
    portfolio = exact_portfolio({k: D(v) for k, v in values.items()}, D(1000))
    plan = plan_rebalance(policy, portfolio, cash_flow=CashFlow(withdrawal=D(3000)))
    assert plan.orders and all(o.side is Side.SELL for o in plan.orders)
    in_band = [o for o in plan.orders if "(in band)" in o.reason]
    assert len(in_band) == 8
    assert all("to raise the cash the plan needs" in o.reason for o in in_band)
    assert not any("fund the buys" in o.reason for o in plan.orders)
