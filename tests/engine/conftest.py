"""Fixtures for the engine tests: the product brief's policy and its seed portfolio.

``BRIEF_POLICY`` is the allocation shipped in ``config/portfolio_allocation.yaml``,
key for key: sector ETFs 60% (technology 20, healthcare 15, financials 15, energy 10),
index ETFs 20% (sp500 10, nasdaq 10), leveraged 10% (leveraged_long 10), conservative
10% (bonds 5, utilities 5); reserve $1,000, 5-point band, 25% relative band, $100
minimum trade, 5 trades a session, 25% single-position cap, 15% leveraged cap.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import strategies as st

from trader.core.engine import ShareProblem, ShareTarget
from trader.core.money import QTY_STEP
from trader.core.policy import Holding, Policy, Portfolio

# The engine tests import these constants with ``from conftest import ...``.
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

D = Decimal

BRIEF_TARGETS = {
    "technology": D(20),
    "healthcare": D(15),
    "financials": D(15),
    "energy": D(10),
    "sp500": D(10),
    "nasdaq": D(10),
    "leveraged_long": D(10),
    "bonds": D(5),
    "utilities": D(5),
}
BRIEF_CATEGORIES = {
    "technology": ("XLK", "VGT"),
    "healthcare": ("XLV", "VHT"),
    "financials": ("XLF", "VFH"),
    "energy": ("XLE", "VDE"),
    "sp500": ("SPY", "VOO", "IVV"),
    "nasdaq": ("QQQ",),
    "leveraged_long": ("TQQQ",),
    "bonds": ("TLT", "IEF"),
    "utilities": ("XLU",),
}

BRIEF_POLICY = Policy(
    target_allocation=BRIEF_TARGETS,
    categories=BRIEF_CATEGORIES,
    leverage={"TQQQ": D(3), "SQQQ": D(3)},
    method="threshold",
    drift_threshold=D(5),
    relative_threshold=D(25),
    rebalance_to="target",
    min_trade_dollars=D(100),
    max_trades_per_session=5,
    fractional_shares=True,
    prefer_etfs_with_score_above=D(70),
    max_single_position=D(25),
    max_leveraged_total=D(15),
    cash_reserve=D(1000),
)

SEED_PRICES = {
    "XLK": D("185.00"),
    "XLV": D("145.00"),
    "XLF": D("40.00"),
    "XLE": D("62.00"),
    "SPY": D("480.00"),
    "TQQQ": D("65.50"),
    "TLT": D("95.00"),
    "QQQ": D("410.00"),
    "XLU": D("68.00"),
    "VGT": D("500.00"),
}
SEED_VALUES = {
    "XLK": D(3200),
    "XLV": D(1600),
    "XLF": D(900),
    "XLE": D(800),
    "SPY": D(1200),
    "TQQQ": D(1000),
    "TLT": D(400),
}


def exact_portfolio(values: dict[str, Decimal], cash: Decimal, **extra) -> Portfolio:
    """Holdings worth exactly the given dollars (fractional quantities), plus a price for
    every other symbol of ``SEED_PRICES`` so that any category can be bought."""
    holdings = []
    for symbol, price in SEED_PRICES.items():
        value = values.get(symbol, D(0))
        holdings.append(Holding(symbol, value / price, price, avg_cost=price * D("0.9")))
    return Portfolio(cash=cash, holdings=tuple(holdings), **extra)


@pytest.fixture
def brief_policy() -> Policy:
    return BRIEF_POLICY


@pytest.fixture
def seed_portfolio() -> Portfolio:
    """The brief's $12,500 account: cash $3,400 and seven ETFs worth exactly their values."""
    return exact_portfolio(SEED_VALUES, D(3400))


def broken(problem: ShareProblem, deltas: tuple[Decimal, ...]) -> list[str]:
    """The rules a share-solver answer breaks, in exact decimals (none: it keeps them all)."""
    found = []
    spend = sum((d * t.price for d, t in zip(deltas, problem.targets, strict=True)), D(0))
    if spend > problem.budget:
        found.append("budget")
    if problem.max_trades is not None and sum(1 for d in deltas if d) > problem.max_trades:
        found.append("trade cap")
    for t, d in zip(problem.targets, deltas, strict=True):
        if d % t.step:
            found.append(f"{t.symbol} step")
        if t.held + d < 0:
            found.append(f"{t.symbol} sells more than held")
        if d and abs(d) * t.price < problem.min_trade:
            found.append(f"{t.symbol} minimum trade")
        if t.max_value is not None and (t.held + d) * t.price > t.max_value:
            found.append(f"{t.symbol} position cap")
        if d < 0 and not problem.sells_allowed:
            found.append(f"{t.symbol} sells in a buy-only problem")
        if d > 0 and not problem.buys_allowed:
            found.append(f"{t.symbol} buys in a sell-only problem")
    return found


@st.composite
def share_problems(
    draw,
    *,
    fractional: bool | None = None,
    capped: bool | None = None,
    tight: bool | None = None,
    idle: bool = False,
):
    """Random share-solver problems. ``fractional``: every step fractional (True), or each
    symbol's drawn (None). ``capped``: a trade cap or none (None: drawn). ``tight``: the
    targets spend the cash exactly, as in a backtest (None: drawn). ``idle``: about half
    the symbols' targets are their values, as in a band rebalance."""
    count = draw(st.integers(1, 15))
    targets = []
    for index in range(count):
        price = D(draw(st.integers(100, 60_000))) / 100
        step = QTY_STEP if fractional or draw(st.booleans()) else D(1)
        if step == QTY_STEP:
            held = D(draw(st.integers(0, 10**12))) * QTY_STEP
        else:
            held = D(draw(st.integers(0, 400)))
        goal = D(draw(st.integers(0, 5_000_000))) / 100
        if draw(st.integers(0, 3)) == 0:
            goal = D(draw(st.integers(0, 10**9))) / 7  # more places than the scale keeps
        if idle and draw(st.booleans()):
            goal = held * price
        cap = None if draw(st.booleans()) else D(draw(st.integers(0, 100_000)))
        targets.append(ShareTarget(f"S{index}", price, held, goal, step=step, max_value=cap))
    if draw(st.booleans()) if tight is None else tight:
        budget = sum((t.target_value - t.held * t.price for t in targets), D(0))
    else:
        budget = D(draw(st.integers(-5_000, 50_000))) / 10
    has_cap = draw(st.booleans()) if capped is None else capped
    return ShareProblem(
        tuple(targets),
        budget=budget,
        min_trade=D(draw(st.sampled_from([0, 0, 1, 10, 100]))),
        max_trades=draw(st.integers(1, count)) if has_cap else None,
    )
