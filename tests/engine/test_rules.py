"""One table of cases per rule of the engine, and the interactions between rules.

A small three-category policy keeps the arithmetic visible: investable value is
10,000 in every case (equity 11,000 less a 1,000 reserve) unless a case says otherwise.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import D

from trader.core.domain import Side
from trader.core.engine import Action, apply_plan, input_hash, measure, plan_rebalance
from trader.core.policy import Holding, Policy, Portfolio

CENT = D("0.01")
PRICES = {"AAA": D(100), "AAB": D(50), "BBB": D(95), "CCC": D(40), "LEV": D(65)}

BASE = Policy(
    target_allocation={"alpha": D(40), "beta": D(40), "gamma": D(20)},
    categories={"alpha": ("AAA", "AAB"), "beta": ("BBB",), "gamma": ("CCC", "LEV")},
    drift_threshold=D(5),
    cash_reserve=D(1000),
)


def account(values: dict[str, str], cash: str = "1000", **extra) -> Portfolio:
    holdings = tuple(
        Holding(s, D(values.get(s, "0")) / p, p, avg_cost=p) for s, p in PRICES.items()
    )
    return Portfolio(cash=D(cash), holdings=holdings, **extra)


def sides(plan) -> list[tuple[str, Side, str]]:
    return [(o.symbol, o.side, str(o.est_value.quantize(CENT))) for o in plan.orders]


@pytest.mark.parametrize(
    ("alpha", "action"),
    [
        ("4500", Action.HOLD),  # +5.00 points on a 5-point band: on the edge, holds
        ("4501", Action.SELL),  # +5.01: strictly beyond
        ("4499", Action.HOLD),
        ("3500", Action.HOLD),  # -5.00 holds
        ("3499", Action.BUY),
    ],
)
def test_out_of_band_only_when_strictly_beyond(alpha, action):
    beta = str(10000 - int(alpha) - 2000)
    allocation = measure(BASE, account({"AAA": alpha, "BBB": beta, "CCC": "2000"}))
    assert allocation.row("alpha").action is action


@pytest.mark.parametrize(
    ("relative", "gamma", "band", "action"),
    [
        (None, "1600", D(5), Action.HOLD),  # -4 points inside the 5-point band
        (D(25), "1600", D(5), Action.HOLD),  # 25% of 20 = 5 points: the bands meet (5/25)
        (D(10), "1600", D(2), Action.BUY),  # 10% of 20 = 2 points: -4 is beyond
        (D(10), "1800", D(2), Action.HOLD),  # -2.00 exactly on the relative edge
        (D(50), "1600", D(5), Action.HOLD),  # 50% of 20 = 10: the absolute 5 is hit first
        (D(50), "1499", D(5), Action.BUY),
    ],
)
def test_relative_band_and_absolute_band_whichever_is_hit_first(relative, gamma, band, action):
    policy = replace(BASE, relative_threshold=relative)
    rest = 10000 - int(gamma)
    portfolio = account({"AAA": str(rest // 2), "BBB": str(rest - rest // 2), "CCC": gamma})
    row = measure(policy, portfolio).row("gamma")
    assert (row.band_pct, row.action) == (band, action)


@pytest.mark.parametrize(
    ("method", "drifted", "calendar_due", "due"),
    [
        ("threshold", True, False, True),
        ("threshold", False, True, False),
        ("calendar", False, True, True),
        ("calendar", True, False, False),
        ("hybrid", True, True, True),
        ("hybrid", True, False, False),
        ("hybrid", False, True, False),
    ],
)
def test_when_a_rebalance_is_due(method, drifted, calendar_due, due):
    alpha = "5000" if drifted else "4000"
    beta = "3000" if drifted else "4000"
    portfolio = account({"AAA": alpha, "BBB": beta, "CCC": "2000"}, calendar_due=calendar_due)
    plan = plan_rebalance(replace(BASE, method=method), portfolio)
    assert plan.due is due
    assert bool(plan.orders) is (due and drifted)


def test_sells_come_from_the_largest_holding_and_buys_go_to_the_primary():
    portfolio = account({"AAA": "1500", "AAB": "4000", "BBB": "2500", "CCC": "2000"})
    plan = plan_rebalance(BASE, portfolio)
    assert sides(plan) == [("AAB", Side.SELL, "1500.00"), ("BBB", Side.BUY, "1500.00")]


@pytest.mark.parametrize(
    ("scores", "threshold", "bought"),
    [
        ({}, D(70), "CCC"),  # no scores: the primary
        ({"CCC": D(60), "LEV": D(80)}, D(70), "LEV"),
        ({"CCC": D(60), "LEV": D(65)}, D(70), "CCC"),  # none at the threshold: primary
        ({"CCC": D(90), "LEV": D(80)}, None, "CCC"),
    ],
)
def test_buys_go_to_the_best_scored_symbol_at_or_above_the_threshold(scores, threshold, bought):
    policy = replace(BASE, prefer_etfs_with_score_above=threshold)
    portfolio = account({"AAA": "4000", "BBB": "5000", "CCC": "1000"}, scores=scores)
    plan = plan_rebalance(policy, portfolio)
    assert [o.symbol for o in plan.buys] == [bought]


def test_the_cash_reserve_is_never_spent():
    # 1,000 above the reserve; alpha -10 wants exactly 1,000; beta -5.00 holds; gamma +5 holds.
    policy = replace(BASE, max_single_position=D(100))
    portfolio = account({"AAA": "3000", "BBB": "3500", "CCC": "2500"}, cash="2000")
    plan = plan_rebalance(policy, portfolio)
    assert sides(plan) == [("AAA", Side.BUY, "1000.00")]
    assert plan.cash_after >= 1000 and abs(plan.cash_after - 1000) < CENT


def test_held_symbols_in_no_category_are_reported_not_traded():
    # An uncategorised holding (ZZZ, 2,000) takes part of the investable value, so alpha can
    # only get the 1,000 above the reserve, not all 2,000 it is short.
    policy = replace(BASE, max_single_position=D(100))
    holdings = account({"AAA": "2000", "BBB": "3000", "CCC": "2000"}, cash="2000").holdings
    portfolio = Portfolio(D(2000), (*holdings, Holding("ZZZ", D(20), D(100))))
    plan = plan_rebalance(policy, portfolio)
    # alpha 2,000 of 4,000 (short 2,000), beta 3,000 (short 1,000, in band): only alpha is out
    # of band and gets the 1,000 above the reserve.
    assert sides(plan) == [("AAA", Side.BUY, "1000.00")]
    assert any("ZZZ is held but in no category" in w for w in plan.warnings)
    assert all(o.symbol != "ZZZ" for o in plan.orders)


def test_in_band_overweight_categories_fund_out_of_band_buys():
    # alpha at 30% needs 1,000; no cash above the reserve; beta 44% and gamma 26% are over
    # target, gamma (+6) is out of band and sells 600, beta (+4, in band) sells the other 400.
    portfolio = account({"AAA": "3000", "BBB": "4400", "CCC": "2600"}, cash="1000")
    plan = plan_rebalance(replace(BASE, max_single_position=D(100)), portfolio)
    assert sides(plan) == [
        ("CCC", Side.SELL, "600.00"),
        ("BBB", Side.SELL, "400.00"),
        ("AAA", Side.BUY, "1000.00"),
    ]
    assert "fund the buys" in plan.orders[1].reason
    assert abs(plan.cash_after - 1000) < CENT and plan.cash_after >= 1000


@pytest.mark.parametrize(
    ("cap", "kept", "skipped"),
    [
        (None, ["CCC", "AAA", "BBB"], []),
        (2, ["CCC", "AAA"], ["BBB"]),
        (1, ["CCC"], ["AAA", "BBB"]),
    ],
)
def test_trade_cap_keeps_the_biggest_cuts_and_the_reserve_holds(cap, kept, skipped):
    # gamma +12 sells 1,200; alpha -8 buys 800; beta -4 is in band... use beta -6: buys 600.
    # The sale funds the buys: with one trade only, the sale is the biggest cut.
    portfolio = account({"AAA": "3200", "BBB": "3400", "CCC": "3200"}, cash="1200")
    policy = replace(BASE, max_trades_per_session=cap, max_single_position=D(100))
    plan = plan_rebalance(policy, portfolio)
    assert [o.symbol for o in plan.orders] == kept
    assert [s.symbol for s in plan.skipped] == skipped
    assert all("max_trades_per_session" in s.reason for s in plan.skipped)
    assert plan.cash_after >= policy.cash_reserve


def test_trade_cap_with_the_reserve_prefers_the_sale_that_pays_for_a_buy():
    # Only 100 above the reserve (investable 10,000). alpha -10 (buy 1,000), gamma +10 (sell
    # 1,000), beta -1 holds. One trade alone: the sale (the buy could only spend 100). Two
    # trades: both.
    portfolio = account({"AAA": "3000", "BBB": "3900", "CCC": "3000"}, cash="1100")
    policy = replace(BASE, max_trades_per_session=1, max_single_position=D(100))
    plan = plan_rebalance(policy, portfolio)
    assert sides(plan) == [("CCC", Side.SELL, "1000.00")]
    two = plan_rebalance(replace(policy, max_trades_per_session=2), portfolio)
    assert sides(two) == [("CCC", Side.SELL, "1000.00"), ("AAA", Side.BUY, "1000.00")]


@pytest.mark.parametrize(
    ("minimum", "bought"),
    [
        (D(0), D(1)),  # 1 share of 95 for a 120 shortfall: 25 short, the closest
        (D(100), D(2)),  # 95 is under the minimum; 2 shares (190) end 70 past - closer
        (D(200), None),  # 2 shares are under it too, 3 cost more than the 200 of cash
    ],
)
def test_whole_shares_with_a_minimum_trade(minimum, bought):
    # A 1-point band; beta is 1.2 points short (120) at 95 a share, with 200 above the
    # reserve. Rounding down would buy one share or, with the minimum, nothing at all.
    policy = replace(
        BASE,
        drift_threshold=D(1),
        fractional_shares=False,
        min_trade_dollars=minimum,
        max_single_position=D(100),
    )
    portfolio = account({"AAA": "4000", "BBB": "3880", "CCC": "1920"}, cash="1200")
    plan = plan_rebalance(policy, portfolio)
    assert [(o.symbol, o.qty) for o in plan.orders] == ([("BBB", bought)] if bought else [])
    assert plan.cash_after >= policy.cash_reserve
    if bought is None:
        assert [s.symbol for s in plan.skipped] == ["BBB"]


def test_whole_shares_buy_above_the_minimum_rather_than_round_down():
    # beta -6 wants 600 of a 95 share with a 100 minimum: 6.3 shares -> 6 (570).
    policy = replace(
        BASE, fractional_shares=False, min_trade_dollars=D(100), max_single_position=D(100)
    )
    portfolio = account({"AAA": "4000", "BBB": "3400", "CCC": "2600"}, cash="1000")
    plan = plan_rebalance(policy, portfolio)
    assert (plan.buys[0].symbol, plan.buys[0].qty) == ("BBB", D(6))


def test_an_over_cap_position_is_trimmed_even_in_band():
    # Five categories of 20%. alpha is 6 points over (a rebalance is due, and its sale leaves
    # spare cash, so nothing needs funding); CCC holds 24% - in band - against a 22% cap.
    policy = Policy(
        target_allocation={c: D(20) for c in ("alpha", "beta", "gamma", "delta", "eps")},
        categories={
            "alpha": ("AAA",),
            "beta": ("BBB",),
            "gamma": ("CCC",),
            "delta": ("DDD",),
            "eps": ("EEE",),
        },
        max_single_position=D(22),
        cash_reserve=D(1000),
    )
    holdings = account({"AAA": "2600", "BBB": "1800", "CCC": "2400"}).holdings
    more = (Holding("DDD", D(16), D(100)), Holding("EEE", D(16), D(100)))
    portfolio = Portfolio(D(1000), (*holdings, *more))
    assert measure(policy, portfolio).row("gamma").action is Action.HOLD
    plan = plan_rebalance(policy, portfolio)
    assert sides(plan) == [("AAA", Side.SELL, "600.00"), ("CCC", Side.SELL, "200.00")]
    assert "max_single_position" in plan.orders[1].reason


def test_leveraged_cap_trims_a_leveraged_category_in_band():
    # gamma (10% target, LEV is 3x) holds 14%: in band. alpha is out of band (-6) and the
    # 600 above the reserve pays for it, so nothing else needs to sell - but the 12%
    # leveraged cap trims LEV by 200.
    policy = Policy(
        target_allocation={"alpha": D(50), "beta": D(40), "gamma": D(10)},
        categories={"alpha": ("AAA",), "beta": ("BBB",), "gamma": ("LEV",)},
        leverage={"LEV": D(3)},
        max_leveraged_total=D(12),
        cash_reserve=D(1000),
    )
    portfolio = account({"AAA": "4400", "BBB": "3600", "LEV": "1400"}, cash="1600")
    assert measure(policy, portfolio).row("gamma").action is Action.HOLD
    plan = plan_rebalance(policy, portfolio)
    assert sides(plan) == [("LEV", Side.SELL, "200.00"), ("AAA", Side.BUY, "600.00")]
    assert "max_leveraged_total" in plan.orders[0].reason
    after = apply_plan(portfolio, plan)
    assert after.holding("LEV").value <= D(1200) + CENT


def test_leveraged_exposure_cap_counts_weight_times_multiple():
    policy = Policy(
        target_allocation={"alpha": D(50), "beta": D(40), "gamma": D(10)},
        categories={"alpha": ("AAA",), "beta": ("BBB",), "gamma": ("LEV",)},
        leverage={"LEV": D(3)},
        max_leveraged_exposure=D(30),
        cash_reserve=D(1000),
    )
    portfolio = account({"AAA": "4000", "BBB": "4700", "LEV": "1300"})  # 13% x 3 = 39
    plan = plan_rebalance(policy, portfolio)
    lev = [o for o in plan.orders if o.symbol == "LEV"]
    assert lev[0].est_value.quantize(CENT) == D("300.00")  # back to 10% = 30% exposure


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_allocation": {"alpha": D(50), "beta": D(40)}}, "sum to 90"),
        ({"categories": {"alpha": ("AAA",), "beta": ("AAA",), "gamma": ("CCC",)}}, "is in both"),
        ({"max_single_position": D(30)}, "above max_single_position"),
        ({"drift_threshold": D(0)}, "drift_threshold"),
        ({"leverage": {"CCC": D(3)}, "max_leveraged_total": D(10)}, "leveraged categories"),
        ({"leverage": {"CCC": D(-1)}}, "must be positive"),
        ({"max_trades_per_session": 0}, "at least 1"),
        ({"cash_reserve": D(-5)}, "negative"),
    ],
)
def test_a_broken_policy_says_what_is_wrong(change, message):
    with pytest.raises(ValueError, match=message):
        replace(BASE, **change)


def test_the_cash_category_is_the_cash_above_the_reserve():
    policy = Policy(
        target_allocation={"alpha": D(50), "beta": D(40), "cash": D(10)},
        categories={"alpha": ("AAA",), "beta": ("BBB",)},
        cash_reserve=D(1000),
    )
    # 3,000 above the reserve = 30% of 10,000 against a 10% target: deploy 2,000.
    portfolio = account({"AAA": "3500", "BBB": "3500"}, cash="4000")
    plan = plan_rebalance(policy, portfolio)
    assert measure(policy, portfolio).row("cash").action is Action.SELL
    assert sides(plan) == [("AAA", Side.BUY, "1500.00"), ("BBB", Side.BUY, "500.00")]
    assert abs(plan.cash_after - 2000) < CENT


def test_input_hash_is_canonical():
    one = account({"AAA": "4000", "BBB": "4000", "CCC": "2000"})
    reordered = replace(one, holdings=tuple(reversed(one.holdings)))
    assert input_hash(BASE, one) == input_hash(BASE, reordered)
    assert input_hash(BASE, one) != input_hash(BASE, replace(one, cash=D("1000.01")))
    assert input_hash(BASE, one) != input_hash(replace(BASE, drift_threshold=D(4)), one)
    assert plan_rebalance(BASE, one).input_hash == input_hash(BASE, one)


def test_a_plan_that_is_not_due_has_no_orders_and_warns_of_caps():
    policy = replace(BASE, max_single_position=D(40), drift_threshold=D(5))
    plan = plan_rebalance(policy, account({"AAA": "4400", "BBB": "3600", "CCC": "2000"}))
    assert not plan.due and plan.orders == ()
    assert any("AAA is 44.00%" in w for w in plan.warnings)
