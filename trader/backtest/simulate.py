"""Replaying one strategy over daily closes, with the engine deciding every trade.

The account starts as cash. On the first day the engine invests it at target (see
:func:`~trader.backtest.strategies.initial_policy`). After that the holdings only
change on a **decision day**, and on every decision day the trades are exactly what
``plan_rebalance`` — the code behind ``trader plan`` — decides for that day's
portfolio at that day's closes. Orders fill at the close they were planned at;
``cost_bps`` of every order's value is paid from cash.

Between decision days nothing trades, so the portfolio's value is one matrix product
(closes times the share counts, plus cash) over the whole stretch. Which days are
decision days:

- calendar strategies: the first trading day of each period;
- band strategies: the days on which some category is out of its band. The weights
  are computed for a block of days at once (float, with a hair of tolerance so that no
  day the exact Decimal rule would act on is missed) and the engine is asked on the
  first day flagged. The engine has the last word: if it finds nothing due, the scan
  goes on from the next day.

Quantities and cash stay Decimal (what the engine reads and returns); their float
copies value the portfolio.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from trader.backtest.prices import PreparedPrices, decimal_price, decimal_prices
from trader.backtest.strategies import Calendar, Strategy, initial_policy, period_starts
from trader.core.domain import Side
from trader.core.engine import Plan, plan_rebalance
from trader.core.money import ZERO
from trader.core.policy import CASH_CATEGORY, HUNDRED, Holding, Policy, Portfolio

BASIS_POINTS = Decimal(10_000)
TOLERANCE = 1e-9  # percentage points: float weights may sit this close to a band's edge
FIRST_BLOCK = 32
AMOUNT = re.compile(r"\$[0-9][0-9,]*(?:\.[0-9]+)?")
LAST_BLOCK = 1024


@dataclass(frozen=True, slots=True)
class Decision:
    """A day the engine traded: the account it saw, the orders, the value traded, costs.

    The account is kept compact (one shared tuple of symbols, the share counts, the closes
    as floats), as runs travel back from worker processes; ``holdings_before`` rebuilds
    what the engine was given.
    """

    day: date
    cash_before: Decimal
    symbols: tuple[str, ...]
    shares_before: tuple[Decimal, ...]
    closes_before: tuple[float, ...]
    orders: tuple[tuple[str, Side, Decimal], ...]  # symbol, side, shares
    bought: Decimal
    sold: Decimal
    cost: Decimal

    @property
    def holdings_before(self) -> tuple[tuple[str, Decimal, Decimal], ...]:
        """(symbol, shares, price) of each symbol, the prices as the engine read them."""
        prices = map(decimal_price, self.closes_before)
        return tuple(zip(self.symbols, self.shares_before, prices, strict=True))


@dataclass(frozen=True, slots=True)
class StrategyRun:
    """One strategy's replay: the daily equity and every trade day."""

    strategy: Strategy
    days: tuple[date, ...]
    equity: np.ndarray  # at each close, after that day's trades and costs
    initial: Decision
    rebalances: tuple[Decision, ...]  # every decision day that traded, after the first day
    checks: int  # times the engine was asked after the first day
    warnings: tuple[str, ...]  # the engine's warnings, most frequent first, with counts

    @property
    def total_costs(self) -> Decimal:
        return self.initial.cost + sum((d.cost for d in self.rebalances), ZERO)


class _Account:
    """The simulated account: Decimal state for the engine, float copies for numpy."""

    def __init__(self, symbols: list[str], closes: np.ndarray, capital: Decimal) -> None:
        self.symbols = symbols
        self.symbol_tuple = tuple(symbols)  # one object shared by every Decision
        self.column = {symbol: k for k, symbol in enumerate(symbols)}
        self.closes = closes
        self.qty = [ZERO] * len(symbols)
        self.cash = capital
        self.qty_float = np.zeros(len(symbols))
        self.cash_float = float(capital)
        self.warnings: Counter[str] = Counter()

    def decide(
        self, policy: Policy, row: int, day: date, *, calendar_due: bool
    ) -> tuple[Portfolio, Plan, int]:
        prices = decimal_prices(self.closes[row])
        holdings = tuple(
            Holding(symbol=symbol, qty=qty, price=price)
            for symbol, qty, price in zip(self.symbols, self.qty, prices, strict=True)
        )
        portfolio = Portfolio(
            cash=self.cash, holdings=holdings, calendar_due=calendar_due, today=day
        )
        plan = plan_rebalance(policy, portfolio, with_hash=False)
        # amounts differ from day to day: count the warning, not the dollars
        self.warnings.update(AMOUNT.sub("$…", warning) for warning in plan.warnings)
        return portfolio, plan, row

    def fill(self, seen: tuple[Portfolio, Plan, int], day: date, cost_bps: Decimal) -> Decision:
        portfolio, plan, row = seen
        bought = sold = ZERO
        for order in plan.orders:
            k = self.column[order.symbol]
            if order.side is Side.BUY:
                self.qty[k] += order.qty
                self.cash -= order.est_value
                bought += order.est_value
            else:
                self.qty[k] -= order.qty
                self.cash += order.est_value
                sold += order.est_value
        cost = (bought + sold) * cost_bps / BASIS_POINTS
        self.cash -= cost
        self.qty_float = np.array([float(q) for q in self.qty])
        self.cash_float = float(self.cash)
        return Decision(
            day=day,
            cash_before=portfolio.cash,
            symbols=self.symbol_tuple,
            shares_before=tuple(h.qty for h in portfolio.holdings),
            closes_before=tuple(self.closes[row].tolist()),
            orders=tuple((o.symbol, o.side, o.qty) for o in plan.orders),
            bought=bought,
            sold=sold,
            cost=cost,
        )

    def value(self, start: int, stop: int) -> np.ndarray:
        return self.cash_float + self.closes[start:stop] @ self.qty_float


class _Bands:
    """The band rule in float, to find the days worth asking the engine about."""

    def __init__(self, policy: Policy, categories: list[str]) -> None:
        self.target = np.array([float(policy.target_allocation[c]) for c in categories])
        self.band = np.array([float(policy.band_half_width(c)) for c in categories])
        self.reserve = float(policy.cash_reserve)
        self.cash_target: float | None = None
        if CASH_CATEGORY in policy.target_allocation:
            self.cash_target = float(policy.target_allocation[CASH_CATEGORY])
            self.cash_band = float(policy.band_half_width(CASH_CATEGORY))

    def first_out(self, account: _Account, start: int) -> int:
        """The first day at or after ``start`` with a category out of band, else the end."""
        end = len(account.closes)
        size = FIRST_BLOCK
        while start < end:
            stop = min(start + size, end)
            values = account.closes[start:stop] * account.qty_float
            investable = account.cash_float + values.sum(axis=1) - self.reserve
            positive = investable > 0
            safe = np.where(positive, investable, 1.0)
            drift = values / safe[:, None] * float(HUNDRED) - self.target
            out = (np.abs(drift) > self.band - TOLERANCE).any(axis=1)
            if self.cash_target is not None:
                cash = (account.cash_float - self.reserve) / safe * 100.0 - self.cash_target
                out |= np.abs(cash) > self.cash_band - TOLERANCE
            hits = np.flatnonzero(out & positive)
            if hits.size:
                return start + int(hits[0])
            start = stop
            size = min(size * 2, LAST_BLOCK)
        return end


def simulate(
    strategy: Strategy,
    prices: PreparedPrices,
    capital: Decimal,
    cost_bps: Decimal = ZERO,
) -> StrategyRun:
    """Replay ``strategy`` from ``capital`` in cash over ``prices``."""
    if capital <= ZERO:
        raise ValueError(f"starting capital {capital} must be positive")
    policy = strategy.policy
    categories = [c for c in policy.target_allocation if c != CASH_CATEGORY]
    symbols = [policy.categories[c][0] for c in categories]
    columns = [prices.symbols.index(s) for s in symbols]
    closes = np.ascontiguousarray(prices.closes[:, columns])
    days = prices.days
    account = _Account(symbols, closes, capital)
    equity = np.empty(len(days))
    initial = account.fill(
        account.decide(initial_policy(policy), 0, days[0], calendar_due=True), days[0], cost_bps
    )
    calendar_rows = iter(period_starts(days, strategy.calendar))
    bands = _Bands(policy, categories) if strategy.calendar is Calendar.DAILY_BANDS else None
    rebalances: list[Decision] = []
    checks = 0
    row = 0
    while True:
        if bands is not None:
            upcoming = bands.first_out(account, row + 1)
        else:
            upcoming = next(calendar_rows, len(days))
        equity[row:upcoming] = account.value(row, upcoming)
        if upcoming >= len(days):
            break
        row = upcoming
        seen = account.decide(
            policy, row, days[row], calendar_due=strategy.calendar is not Calendar.DAILY_BANDS
        )
        checks += 1
        if seen[1].orders:
            rebalances.append(account.fill(seen, days[row], cost_bps))
    warnings = tuple(
        f"{message} (x{count})" if count > 1 else message
        for message, count in account.warnings.most_common()
    )
    return StrategyRun(
        strategy=strategy,
        days=days,
        equity=equity,
        initial=initial,
        rebalances=tuple(rebalances),
        checks=checks,
        warnings=warnings,
    )
