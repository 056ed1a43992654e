"""Trades the tax rules and the trailing stops ask for, besides the rebalance itself.

**Trailing stops** are for winners: a holding at a gain whose price has fallen
``trailing_stop`` percent below its peak since it was bought is sold whole, locking
in the gain; its category is not bought back in the same plan (the stop's point is
to step out), which the plan says. A stop fires only on a price a second source
confirmed (``Portfolio.confirmed``); one the price alone would fire is named in the
warnings and left for a later plan.

**Tax-loss harvesting** sells a holding's losing lots and buys the same value of a
replacement the user declared equivalent (the category's other symbols, then
``tax_equivalents``), so the exposure stays and the loss is realized. Alpaca closes
lots oldest first, so the sale is the oldest lots up to the point where the loss is
largest; it is proposed when that loss is beyond both ``tlh_min_loss_dollars`` and
``tlh_min_loss_pct`` of its cost. The wash-sale windows (see ``trader.core.wash``)
decide what may be harvested and bought. Harvests use the trade slots the rebalance
leaves, two per swap, the largest loss first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from trader.core.domain import Side
from trader.core.lots import Lot, Realization, realize
from trader.core.money import CENT, QTY_STEP, ZERO, dollars, floor_qty
from trader.core.policy import HUNDRED, Holding, Policy, Portfolio
from trader.core.wash import WINDOW_DAYS

WHOLE = Decimal(1)


@dataclass(frozen=True, slots=True)
class StopSell:
    symbol: str
    qty: Decimal
    peak: Decimal
    trigger: Decimal
    reason: str


def trailing_stops(policy: Policy, portfolio: Portfolio) -> list[StopSell]:
    """Holdings at a gain that fell ``trailing_stop`` percent below their peak, on a
    confirmed price."""
    return [stop for stop in _fallen(policy, portfolio) if _confirmed(portfolio, stop)]


def unconfirmed_stops(policy: Policy, portfolio: Portfolio) -> list[str]:
    """Why each stop the price alone would fire is not fired: no second source confirms
    the price at or below the trigger."""
    said = []
    for stop in _fallen(policy, portfolio):
        if _confirmed(portfolio, stop):
            continue
        holding = portfolio.holding(stop.symbol)
        assert holding is not None and portfolio.confirmed is not None
        confirmed = portfolio.confirmed.get(stop.symbol)
        evidence = (
            "no second source (the quote's midpoint, an earlier sync within minutes) agrees with it"
            if confirmed is None
            else f"the confirmed price {dollars(confirmed)} is above the trigger"
        )
        said.append(
            f"{stop.symbol}: the trailing stop was not fired: its price {dollars(holding.price)} "
            f"is at or below the trigger of {dollars(stop.trigger)} (peak {dollars(stop.peak)}), "
            f"but {evidence}; a later plan sells if the fall is confirmed"
        )
    return said


def _confirmed(portfolio: Portfolio, stop: StopSell) -> bool:
    if portfolio.confirmed is None:
        return True
    price = portfolio.confirmed.get(stop.symbol)
    return price is not None and price <= stop.trigger


def _fallen(policy: Policy, portfolio: Portfolio) -> list[StopSell]:
    if policy.trailing_stop is None:
        return []
    stops = []
    for holding in portfolio.holdings:
        peak = portfolio.peaks.get(holding.symbol)
        if holding.qty <= ZERO or peak is None or holding.avg_cost <= ZERO:
            continue
        peak = max(peak, holding.price)
        trigger = peak * (HUNDRED - policy.trailing_stop) / HUNDRED
        if holding.price > trigger or holding.price <= holding.avg_cost:
            continue
        locked = (holding.price - holding.avg_cost) * holding.qty
        fall = (peak - holding.price) / peak * HUNDRED
        stops.append(
            StopSell(
                holding.symbol,
                holding.qty,
                peak,
                trigger,
                f"trailing stop: {holding.symbol} peaked at {dollars(peak)} and is now "
                f"{dollars(holding.price)}, {fall.quantize(CENT)}% lower, at or below the "
                f"{policy.trailing_stop}% trigger of {dollars(trigger)}: selling locks in a gain "
                f"of about {dollars(locked)}",
            )
        )
    return stops


def step_of(policy: Policy, holding: Holding) -> Decimal:
    return QTY_STEP if policy.fractional_shares and holding.fractionable else WHOLE


def realization(portfolio: Portfolio, holding: Holding, qty: Decimal) -> Realization | None:
    """The realized gain of selling ``qty`` from the holding's lots; None without lots."""
    lots = portfolio.lots.get(holding.symbol)
    if not lots or portfolio.today is None:
        return None
    return realize(lots, qty, holding.price, portfolio.today)


def _losing_prefix(lots: tuple[Lot, ...], price: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """The oldest lots up to the largest cumulative loss: (qty, loss, cost)."""
    best = (ZERO, ZERO, ZERO)
    qty = gain = cost = ZERO
    for lot in lots:
        qty += lot.qty
        gain += lot.gain_at(price)
        cost += lot.basis
        if gain < best[1]:
            best = (qty, gain, cost)
    return best


@dataclass(frozen=True, slots=True)
class Harvest:
    sell_symbol: str
    sell_qty: Decimal
    loss: Decimal
    buy_symbol: str
    buy_qty: Decimal
    sell_reason: str
    buy_reason: str


@dataclass(frozen=True, slots=True)
class Blocked:
    symbol: str
    side: Side
    reason: str


def harvests(
    policy: Policy, portfolio: Portfolio, busy: set[str], slots: int, blocked_buys: set[str]
) -> tuple[list[Harvest], list[Blocked]]:
    """The swaps worth making, largest loss first, within ``slots`` trades."""
    if not policy.tax_loss_harvesting or portfolio.today is None:
        return [], []
    today = portfolio.today
    candidates = []
    for holding in portfolio.holdings:
        lots = portfolio.lots.get(holding.symbol)
        if holding.qty <= ZERO or not lots:
            continue
        qty, loss, cost = _losing_prefix(lots, holding.price)
        if loss >= ZERO or cost <= ZERO:
            continue
        if -loss < policy.tlh_min_loss_dollars or -loss / cost * HUNDRED < policy.tlh_min_loss_pct:
            continue
        candidates.append((loss, holding, qty))
    candidates.sort(key=lambda c: (c[0], c[1].symbol))
    chosen: list[Harvest] = []
    blocked: list[Blocked] = []
    for loss, holding, qty in candidates:
        symbol = holding.symbol
        what = f"a loss of {dollars(-loss)} on {symbol}"
        if symbol in busy:
            continue  # the rebalance or a stop already trades it
        bought = portfolio.wash.bought_recently(symbol, today)
        if bought is not None:
            blocked.append(
                Blocked(
                    symbol,
                    Side.SELL,
                    f"wash-sale window: {what} is not harvested, {symbol} was bought on "
                    f"{bought} (within 30 days); the window ends "
                    f"{bought + timedelta(days=WINDOW_DAYS)}",
                )
            )
            continue
        replacement, why_not = _replacement(policy, portfolio, symbol, busy, blocked_buys)
        if replacement is None:
            blocked.append(Blocked(symbol, Side.SELL, f"{what} is not harvested: {why_not}"))
            continue
        if slots < 2:
            blocked.append(
                Blocked(
                    symbol,
                    Side.SELL,
                    f"{what} could be harvested into {replacement.symbol}, but "
                    f"max_trades_per_session leaves no room for the two orders of a swap",
                )
            )
            continue
        sell_qty = qty if qty >= holding.qty else floor_qty(qty, step_of(policy, holding))
        if sell_qty <= ZERO:
            continue
        proceeds = sell_qty * holding.price
        buy_qty = floor_qty(proceeds / replacement.price, step_of(policy, replacement))
        if buy_qty * replacement.price < max(policy.min_trade_dollars, CENT):
            blocked.append(
                Blocked(
                    symbol,
                    Side.SELL,
                    f"{what} is not harvested: {replacement.symbol} bought with the proceeds "
                    f"would be under min_trade_dollars",
                )
            )
            continue
        realized = realize(portfolio.lots[symbol], sell_qty, holding.price, today).total
        chosen.append(
            Harvest(
                symbol,
                sell_qty,
                realized,
                replacement.symbol,
                buy_qty,
                f"tax-loss harvest: sells {symbol}'s oldest lots at a loss of "
                f"{dollars(-realized)} and buys {replacement.symbol} with the proceeds, "
                f"keeping the exposure; {symbol} is not bought back for 31 days",
                f"tax-loss harvest: replaces {symbol} (same category exposure)",
            )
        )
        busy |= {symbol, replacement.symbol}
        slots -= 2
    return chosen, blocked


def _replacement(
    policy: Policy, portfolio: Portfolio, symbol: str, busy: set[str], blocked_buys: set[str]
) -> tuple[Holding | None, str]:
    reasons = []
    for other in policy.equivalents_of(symbol):
        holding = portfolio.holding(other)
        if holding is None:
            reasons.append(f"no price for {other}")
            continue
        sold = portfolio.wash.sold_at_loss_recently(other, portfolio.today)  # type: ignore[arg-type]
        if sold is not None:
            reasons.append(f"{other} was sold at a loss on {sold} (wash-sale window)")
            continue
        if other in busy or other in blocked_buys:
            reasons.append(f"{other} is already traded in this plan")
            continue
        return holding, ""
    if not reasons and policy.category_of(symbol) is None:
        return None, f"{symbol} is in no category and no tax_equivalents are set for it"
    if not reasons:
        return None, "its category has no other symbol and no tax_equivalents are set"
    return None, "; ".join(reasons)
