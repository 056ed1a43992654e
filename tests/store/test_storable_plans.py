"""Any history of fills gives plans the store can keep.

Random fill sequences (several fills a day, buys and sells at any price, with wash
sales among them) are recorded as a sync would record them; the lots and wash-sale
windows are rebuilt from the store as ``trader plan`` rebuilds them, and plans that
sell (a withdrawal, and the rebalance) are staged. None may fail to store, and the
estimates come back whole cents that add up.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from trader.core.domain import AccountMode, Side
from trader.core.engine import CashFlow, plan_rebalance
from trader.core.money import QTY_STEP, ZERO
from trader.core.policy import Holding, Policy, Portfolio
from trader.core.staging import Basis, client_order_id
from trader.planning.service import to_staged
from trader.planning.tax_inputs import account_history

D = Decimal
FIRST_DAY = date(2026, 1, 5)
SYMBOLS = ("SPY", "BND")
POLICY = Policy(
    target_allocation={"stocks": D(60), "bonds": D(40)},
    categories={"stocks": ("SPY",), "bonds": ("BND",)},
    cash_reserve=D(1000),
    min_trade_dollars=D(1),
    tax_loss_harvesting=True,
    tlh_min_loss_dollars=D(1),
    tlh_min_loss_pct=D(1),
    tax_equivalents={"SPY": ("BND",)},
    short_term_tax_rate=D(24),
    long_term_tax_rate=D(15),
)


def _whole_and_fraction(whole: st.SearchStrategy[int], places: int) -> st.SearchStrategy[Decimal]:
    step = D(1).scaleb(-places)
    fraction = st.decimals(min_value=step, max_value=D(1), places=places)
    return st.builds(lambda w, f: D(w) + f, whole, fraction)


# Fractional shares to Alpaca's 9 decimals; prices in cents, sub-penny or with 9 decimals.
quantities = _whole_and_fraction(st.integers(0, 40), 9)
prices = st.one_of(
    _whole_and_fraction(st.integers(1, 900), 2),
    _whole_and_fraction(st.integers(0, 900), 9),
)
fills_of_a_day = st.lists(
    st.tuples(st.sampled_from(SYMBOLS), st.sampled_from(Side), quantities, prices),
    min_size=1,
    max_size=4,
)
histories = st.lists(st.tuples(st.integers(0, 45), fills_of_a_day), min_size=1, max_size=6)


def replay(history):
    """The fills that can happen (a sell never sells more than is held), and what is held."""
    held = {symbol: ZERO for symbol in SYMBOLS}
    basis = {symbol: ZERO for symbol in SYMBOLS}
    day = FIRST_DAY
    fills = []
    for gap, day_fills in history:
        day += timedelta(days=gap)
        for symbol, side, qty, price in day_fills:
            if side is Side.SELL:
                qty = min(qty, held[symbol])
                if qty <= ZERO:
                    continue
                basis[symbol] -= basis[symbol] * qty / held[symbol]
                held[symbol] -= qty
            else:
                held[symbol] += qty
                basis[symbol] += qty * price
            fills.append((day, symbol, side, qty, price))
    return fills, held, basis, day


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=histories,
    later=st.integers(0, 400),
    today_prices=st.tuples(prices, prices),
    cash=st.decimals(min_value=D(0), max_value=D(3000), places=2),
    withdraw_share=st.sampled_from([D(0), D("0.5"), D("0.9")]),
)
def test_any_fill_history_gives_plans_the_store_keeps(
    store, samples, history, later, today_prices, cash, withdraw_share
):
    fills, held, basis, last_day = replay(history)
    account = samples.account(account_id=str(uuid.uuid4()), cash=cash)
    account_key = store.ensure_account(AccountMode.PAPER, account)
    today_price = dict(zip(SYMBOLS, today_prices, strict=True))
    positions = tuple(
        samples.position(
            symbol,
            qty=held[symbol],
            avg_entry_price=(basis[symbol] / held[symbol]).quantize(QTY_STEP),
            current_price=today_price[symbol],
            market_value=held[symbol] * today_price[symbol],
            cost_basis=basis[symbol],
            unrealized_pl=held[symbol] * today_price[symbol] - basis[symbol],
        )
        for symbol in SYMBOLS
        if held[symbol] > QTY_STEP
    )
    recorded = tuple(
        samples.fill(
            f"{uuid.uuid4()}",
            symbol=symbol,
            side=side,
            qty=qty,
            price=price,
            cum_qty=qty,
            transaction_time=datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
            + timedelta(seconds=n),
        )
        for n, (day, symbol, side, qty, price) in enumerate(fills)
    )
    snapshot = samples.snapshot(
        account=account, positions=positions, open_orders=(), fills=recorded
    )
    snapshot_id = store.record_sync(account_key, snapshot)
    stored = store.latest_snapshot(account_key)
    history_read = account_history(store, account_key, stored)
    today = last_day + timedelta(days=later)
    portfolio = Portfolio(
        cash=stored.account.cash,
        holdings=tuple(
            Holding(s, held[s] if held[s] > QTY_STEP else ZERO, today_price[s]) for s in SYMBOLS
        ),
        today=today,
        lots=history_read.book.lots,
        wash=history_read.wash,
    )
    room = portfolio.equity - POLICY.cash_reserve
    withdrawal = (room * withdraw_share).quantize(D("0.01")) if room > 0 else ZERO
    plan = plan_rebalance(POLICY, portfolio, cash_flow=CashFlow(withdrawal=withdrawal))
    event(f"sells: {bool(plan.sells)}, equity over 2000: {portfolio.equity > 2000}")
    if not plan.orders:
        return
    uid = uuid.uuid4().hex
    ids = [client_order_id(uid, n, o.side, o.symbol) for n, o in enumerate(plan.orders, 1)]
    created = datetime(today.year, today.month, today.day, 15, tzinfo=UTC)
    staged = to_staged(plan, uid, AccountMode.PAPER, created, ids, {}, Basis(stored.account.cash))
    store.stage_plan(AccountMode.PAPER, staged, account_key=account_key, snapshot_id=snapshot_id)

    read = store.staged_plan(AccountMode.PAPER, uid)
    assert read is not None and len(read.orders) == len(plan.orders)
    for order, planned in zip(read.orders, plan.orders, strict=True):
        assert order.qty == planned.qty  # already on Alpaca's step: kept exactly
        if order.side is Side.SELL and order.est_short_term is not None:
            for amount in (order.est_realized_pl, order.est_short_term, order.est_long_term):
                assert amount == amount.quantize(D("0.01"))
            washed = order.est_washed or ZERO
            assert order.est_realized_pl == (order.est_short_term + order.est_long_term - washed)
