"""Properties every plan has, on random policies and accounts.

- a plan never sells more than is held;
- the cash after the plan stays at or above the reserve (the accounts start with it);
- no order is below the minimum trade;
- with fractional shares and no trade cap, applying the plan and planning again gives
  a plan that is not due;
- whole-share plans never spend more cash than there is above the reserve.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trader.core.domain import Side
from trader.core.engine import apply_plan, plan_rebalance
from trader.core.policy import Holding, Policy, Portfolio

D = Decimal
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw, *, whole: bool | None = None):
    count = draw(st.integers(2, 6))
    weights = draw(st.lists(st.integers(1, 10), min_size=count, max_size=count))
    total = sum(weights)
    targets = [D(w * 100) / total for w in weights]
    targets = [t.quantize(D("0.01")) for t in targets]
    targets[0] += D(100) - sum(targets)
    categories = {}
    holdings = []
    for index in range(count):
        symbols = tuple(f"S{index}{k}" for k in range(draw(st.integers(1, 2))))
        categories[f"c{index}"] = symbols
        for symbol in symbols:
            price = D(draw(st.integers(100, 50000))) / 100
            if whole is True or (whole is None and draw(st.booleans())):
                qty = D(draw(st.integers(0, 400)))
            else:
                qty = D(draw(st.integers(0, 4000))) / 10
            fractionable = draw(st.booleans()) if whole is None else not whole
            holdings.append(Holding(symbol, qty, price, price * D("0.8"), fractionable))
    policy = Policy(
        target_allocation={f"c{i}": t for i, t in enumerate(targets)},
        categories=categories,
        drift_threshold=D(draw(st.sampled_from([1, 2, 5, 10]))),
        relative_threshold=draw(st.sampled_from([None, D(25), D(50)])),
        rebalance_to=draw(st.sampled_from(["target", "band_edge"])),
        min_trade_dollars=D(draw(st.sampled_from([0, 1, 100, 500]))),
        max_trades_per_session=draw(st.sampled_from([None, 1, 2, 3, 10])),
        fractional_shares=whole is not True,
        cash_reserve=D(draw(st.sampled_from([0, 500, 1000]))),
    )
    cash = policy.cash_reserve + D(draw(st.integers(0, 2_000_000))) / 100
    return policy, Portfolio(cash, tuple(holdings))


def _held(portfolio: Portfolio, symbol: str) -> Decimal:
    holding = portfolio.holding(symbol)
    return holding.qty if holding else D(0)


@SETTINGS
@given(cases())
def test_a_plan_never_sells_more_than_is_held(case):
    policy, portfolio = case
    plan = plan_rebalance(policy, portfolio)
    for order in plan.sells:
        assert order.qty <= _held(portfolio, order.symbol)
    symbols = [o.symbol for o in plan.orders]
    assert len(symbols) == len(set(symbols))


@SETTINGS
@given(cases())
def test_cash_after_stays_at_or_above_the_reserve_and_no_order_is_too_small(case):
    policy, portfolio = case
    plan = plan_rebalance(policy, portfolio)
    assert plan.cash_after >= policy.cash_reserve
    assert all(o.est_value >= policy.min_trade_dollars for o in plan.orders)
    if policy.max_trades_per_session is not None:
        assert len(plan.orders) <= policy.max_trades_per_session
    assert [o.side for o in plan.orders] == sorted(
        (o.side for o in plan.orders), key=lambda s: s is Side.BUY
    )


@SETTINGS
@given(cases(whole=False))
def test_applying_the_plan_leaves_nothing_due(case):
    policy, portfolio = case
    policy = replace(policy, max_trades_per_session=None, min_trade_dollars=D(0))
    plan = plan_rebalance(policy, portfolio)
    after = apply_plan(portfolio, plan)
    again = plan_rebalance(policy, after)
    assert not again.due, [(r.category, r.drift_pct, r.band_pct) for r in again.allocation]


@SETTINGS
@given(cases(whole=True))
def test_whole_share_plans_never_spend_more_than_the_cash(case):
    policy, portfolio = case
    plan = plan_rebalance(policy, portfolio)
    assert all(o.qty == o.qty.to_integral_value() for o in plan.orders)
    spent = sum((o.est_value for o in plan.buys), D(0))
    received = sum((o.est_value for o in plan.sells), D(0))
    assert spent <= portfolio.cash - policy.cash_reserve + received
    assert plan.cash_after == portfolio.cash - spent + received
