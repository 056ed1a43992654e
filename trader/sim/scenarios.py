"""Named starting points for the sim account. ``SCENARIOS`` is a dict so more can be added.

A scenario names a start instant, a cash balance and target holdings by value. The
holdings are not conjured up: each is bought in a few lots on earlier dates, at
that day's price from the sim's own history, through the same bookkeeping as live
fills (and one position was trimmed once). So the FILL activities explain every
position and its average entry price, some lots are more than a year old, and the
filled orders are there to be listed. Cash is then set to the scenario's figure.

Share counts are the target value over today's price, to the cent of a share.
TQQQ's holding is fractional although TQQQ takes no fractional orders today: like
a real account, the sim keeps a holding bought while an asset was fractionable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from trader.sim import engine, history
from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS, add_synthetic_stocks, seed_prices, synthetic_symbols
from trader.sim.state import Order, SimState

DEFAULT_SCENARIO = "default"
START = datetime(2026, 11, 24, 11, 0, tzinfo=cal.NEW_YORK)
SHARE_STEP = Decimal("0.01")
# Lots as (days before the start, share of the holding); the last lot takes the remainder.
LOT_PLAN = ((730, Decimal("0.45")), (420, Decimal("0.35")), (150, None))
# One round trip so the history also holds a sell: extra shares bought, then sold.
TRIM = {"XLK": (Decimal("3"), 560, 300), "SPY": (Decimal("0.5"), 500, 200)}


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    cash: Decimal
    holdings: tuple[tuple[str, Decimal], ...] = ()  # (symbol, target market value)
    start: datetime = START
    foreign: bool = False  # also holds crypto, an option and an open multi-leg order
    margin: bool = False  # a margin account (multiplier by equity), filling at the quote
    spread_pct: Decimal = Decimal(0)


# The seed portfolio: seven ETF holdings worth about $9,100, by target market value.
SEED_HOLDINGS = (
    ("XLK", Decimal("3200")),
    ("XLV", Decimal("1600")),
    ("XLF", Decimal("900")),
    ("XLE", Decimal("800")),
    ("SPY", Decimal("1200")),
    ("TQQQ", Decimal("1000")),
    ("TLT", Decimal("400")),
)

SCENARIOS: dict[str, Scenario] = {
    "default": Scenario(
        "default",
        "The seed portfolio: $3,400 cash and seven ETF holdings worth about $9,100.",
        Decimal("3400.00"),
        SEED_HOLDINGS,
    ),
    "mixed": Scenario(
        "mixed",
        "The seed portfolio, plus what trader does not trade: BTCUSD, an option, an open "
        "multi-leg options order, a crypto fill and a short sale's fill.",
        Decimal("3400.00"),
        SEED_HOLDINGS,
        foreign=True,
    ),
    "margin": Scenario(
        "margin",
        "The seed portfolio in a margin account, as real paper accounts are: multiplier 4, "
        "cash may go negative, market orders fill at the quote (0.5% spread).",
        Decimal("3400.00"),
        SEED_HOLDINGS,
        margin=True,
        spread_pct=Decimal("0.5"),
    ),
    "empty": Scenario(
        "empty", "A fresh account: $100,000 cash, nothing held.", Decimal("100000.00")
    ),
}
# Accounts with many positions, to measure what a plan costs as an account grows:
# N synthetic stocks worth about $100 each, bought in one lot a month before the start.
STOCK_COUNTS = (5, 500)
for _count in STOCK_COUNTS:
    SCENARIOS[f"stocks-{_count}"] = Scenario(
        f"stocks-{_count}",
        f"{_count} synthetic stocks of about $100 each and $1,000 cash.",
        Decimal("1000.00"),
    )


def is_stock_scenario(name: str) -> bool:
    return name.startswith("stocks-")


def _session_on_or_before(day_offset: int, start: datetime, minute: int) -> datetime:
    day = cal.local(start).date() - timedelta(days=day_offset)
    while cal.session(day) is None:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), cal.NEW_YORK) + timedelta(minutes=minute)


def _lots(
    symbol: str, qty: Decimal, start: datetime, minute: int
) -> list[tuple[datetime, str, Decimal]]:
    lots: list[tuple[datetime, str, Decimal]] = []
    remaining = qty
    for days_back, share in LOT_PLAN:
        amount = remaining if share is None else (qty * share).quantize(SHARE_STEP)
        remaining -= amount
        lots.append((_session_on_or_before(days_back, start, minute), "buy", amount))
    if symbol in TRIM:
        extra, bought, sold = TRIM[symbol]
        lots.append((_session_on_or_before(bought, start, minute + 7), "buy", extra))
        lots.append((_session_on_or_before(sold, start, minute + 9), "sell", extra))
    return lots


def _seed_fill(
    state: SimState, view: history.MarketView, symbol: str, side: str, qty: Decimal, when: datetime
) -> None:
    state.now = when
    day_close = history.close_on(symbol, cal.local(when).date(), view)
    price = Decimal(str(day_close))
    asset = ASSETS[symbol]
    order_id = state.next_uuid("order")
    placed = Order(
        id=order_id,
        client_order_id=state.next_uuid("client-order"),
        symbol=symbol,
        asset_id=asset.asset_id,
        side=side,
        type="market",
        time_in_force="day",
        status="new",
        created_at=when,
        submitted_at=when,
        updated_at=when,
        qty=qty,
    )
    state.orders[order_id] = placed
    state.client_order_ids[placed.client_order_id] = order_id
    engine.record_fill(state, placed, qty, price)


def _fresh(scenario: Scenario, prices: dict[str, Decimal]) -> SimState:
    """The scenario's account before any fill: its clock, cash and first prices."""
    return SimState(
        scenario=scenario.name,
        now=scenario.start,
        anchor=cal.local(scenario.start).date(),
        cash=scenario.cash,
        prices=dict(prices),
        anchor_prices=dict(prices),
    )


def _stock_account(scenario: Scenario, count: int) -> SimState:
    add_synthetic_stocks()
    symbols = synthetic_symbols(count)
    prices = {**seed_prices(), **{s: ASSETS[s].price for s in symbols}}
    state = _fresh(scenario, prices)
    view = state.market_view()
    for index, symbol in enumerate(symbols):
        qty = (Decimal(100) / prices[symbol]).quantize(SHARE_STEP, rounding=ROUND_HALF_EVEN)
        when = _session_on_or_before(30, scenario.start, minute=index % 300)
        _seed_fill(state, view, symbol, "buy", qty, when)
    state.activities.sort(key=lambda activity: activity.transaction_time)  # time order
    state.now = scenario.start
    state.cash = scenario.cash
    return state


def _record_the_last_close(state: SimState) -> None:
    """Record the held symbols' closes of the session before the first day, as the clock
    records each later session's. Until the clock moves, the account's ``last_equity`` and
    every position's ``lastday_price`` are that close: read from the state, it is not
    walked again from 2010 by every process that serves the account (about 8 ms a symbol)."""
    view = state.market_view()
    previous = cal.previous_session(cal.latest_started_session(state.now).day).day
    closes = {s: Decimal(str(history.close_on(s, previous, view))) for s in state.positions}
    if closes:
        state.recorded_closes.setdefault(previous.isoformat(), {}).update(closes)


def build(name: str) -> SimState:
    """A fresh account in the state the scenario describes."""
    state = _build(name)
    _record_the_last_close(state)
    return state


def _build(name: str) -> SimState:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
    scenario = SCENARIOS[name]
    if is_stock_scenario(name):
        return _stock_account(scenario, int(name.removeprefix("stocks-")))
    prices = seed_prices()
    state = _fresh(scenario, prices)
    # The lots are priced from history as seen from the start day, not from the
    # (past) instant of each fill, which would read as "today" and get today's price.
    view = state.market_view()
    plan: list[tuple[datetime, str, str, Decimal]] = []
    for index, (symbol, value) in enumerate(scenario.holdings):
        qty = (value / prices[symbol]).quantize(SHARE_STEP, rounding=ROUND_HALF_EVEN)
        for when, side, amount in _lots(symbol, qty, scenario.start, minute=index * 11):
            plan.append((when, symbol, side, amount))
    for when, symbol, side, amount in sorted(plan, key=lambda lot: (lot[0], lot[1])):
        _seed_fill(state, view, symbol, side, amount, when)
    state.now = scenario.start
    state.cash = scenario.cash
    if scenario.foreign:
        from trader.sim import foreign

        foreign.add_examples(state)
    if scenario.margin:
        from trader.sim.margin import multiplier_for

        state.multiplier = multiplier_for(state.equity())
        state.spread_pct = scenario.spread_pct
    return state
