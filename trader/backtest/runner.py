"""``run_backtest``: the user's policy, every chosen strategy, one price history.

It turns the config's policy into the backtest's (primaries only, no lot-based rules),
prepares the closes of the primaries (later starts and gaps are reported, see
:mod:`trader.backtest.prices`), replays each strategy and measures it, and writes down
what a reader must know to judge the figures: :func:`honesty_notes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from trader.backtest.metrics import MIN_ANNUALISED_DAYS, Metrics, measure_run
from trader.backtest.prices import PreparedPrices, PriceHistory, prepare
from trader.backtest.simulate import StrategyRun, simulate
from trader.backtest.strategies import SWITCHED_OFF, Strategy, backtest_policy, strategy
from trader.core.money import ZERO
from trader.core.policy import CASH_CATEGORY, Policy

Replay = Callable[[Callable[[Strategy], StrategyRun], Sequence[Strategy]], Iterable[StrategyRun]]


@dataclass(frozen=True, slots=True)
class Backtest:
    prices: PreparedPrices
    runs: tuple[StrategyRun, ...]
    metrics: tuple[Metrics, ...]
    capital: Decimal
    cost_bps: Decimal
    risk_free_pct: float
    policy: Policy

    @property
    def start(self) -> date:
        return self.prices.days[0]

    @property
    def end(self) -> date:
        return self.prices.days[-1]


def primary_symbols(policy: Policy) -> list[str]:
    """The symbol each category is held through, in the order of the targets."""
    return [policy.categories[c][0] for c in policy.target_allocation if c != CASH_CATEGORY]


def run_backtest(
    policy: Policy,
    history: PriceHistory,
    strategies: Sequence[str],
    *,
    capital: Decimal,
    cost_bps: Decimal = ZERO,
    start: date | None = None,
    end: date | None = None,
    risk_free_pct: float = 0.0,
    replay: Replay = map,
) -> Backtest:
    """Replay every strategy in ``strategies`` over ``history`` from ``capital`` in cash.

    ``replay`` maps one strategy's replay over the strategies, in order, like ``map`` (the
    default); the command line passes one that runs them in worker processes. Strategies
    are independent of each other, so the results are the same either way.
    """
    if cost_bps < ZERO:
        raise ValueError(f"cost-bps {cost_bps} is negative")
    used = backtest_policy(policy)
    prices = prepare(history, primary_symbols(used), start, end)
    one = partial(simulate, prices=prices, capital=capital, cost_bps=cost_bps)
    runs = tuple(replay(one, [strategy(name, used) for name in strategies]))
    return Backtest(
        prices=prices,
        runs=runs,
        metrics=tuple(measure_run(run, risk_free_pct) for run in runs),
        capital=capital,
        cost_bps=cost_bps,
        risk_free_pct=risk_free_pct,
        policy=used,
    )


def honesty_notes(backtest: Backtest, source: str) -> list[str]:
    """What the figures rest on, in words, for every report of them."""
    policy = backtest.policy
    shares = "fractional shares" if policy.fractional_shares else "whole shares only"
    trades = policy.max_trades_per_session
    notes = [
        f"period: {backtest.start} to {backtest.end} ({len(backtest.prices.days)} trading days)",
        f"data: {source}; daily closes, orders fill at the close of the day they are planned",
        f"costs: {backtest.cost_bps} bp of each order's value, paid from cash (they may dip "
        f"into the reserve until the next rebalance); no spreads, taxes or slippage",
        f"start: ${backtest.capital:,} in cash, invested at target on the first day (the "
        f"trade cap is lifted for that first purchase only)",
        f"rules kept from the config: cash reserve ${policy.cash_reserve:,}, minimum trade "
        f"${policy.min_trade_dollars:,}, at most {trades if trades else 'any number of'} orders "
        f"per rebalance, position and leverage caps, {shares}",
        SWITCHED_OFF,
        f"risk-free rate for the Sharpe ratio: {backtest.risk_free_pct}% a year",
        *backtest.prices.notes(),
        "past results are no guarantee of future results",
    ]
    short = _short_period_note(backtest.prices.days)
    if short:
        notes.insert(1, short)
    return notes


def _short_period_note(days: tuple[date, ...] | list[date]) -> str | None:
    """A warning for a period too short for its yearly figures to mean anything."""
    span = (days[-1] - days[0]).days if days else 0
    if span < MIN_ANNUALISED_DAYS:
        return (
            f"warning: the period is shorter than a month ({span} calendar days): CAGR is not "
            f"shown, and volatility, Sharpe and turnover a year extrapolate a few days"
        )
    if span < 365:
        return (
            f"warning: the period is shorter than a year ({span} calendar days): CAGR, "
            f"volatility, Sharpe and turnover are annualised from it and mean little"
        )
    return None
