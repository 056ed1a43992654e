"""Margin accounts: buying power as Alpaca defines it, and orders filled at the quote.

Real paper accounts are margin accounts. Alpaca's account document defines buying power
by the account's ``multiplier``:
- 1 (a cash account): the cash;
- 2: ``max(equity - initial_margin, 0) * 2`` (Reg T, overnight);
- 4: ``(last_equity - last_maintenance_margin) * 4`` (intraday).
Alpaca grants 4 to a paper account with more than $2,000 of equity, and 1 below it.
Initial margin is taken here as 50% of the long market value and maintenance margin as
25% (Reg T and FINRA's minimums; Alpaca asks more of leveraged funds, which the sim
does not model). Cash may go negative: that is a margin loan.

Alpaca checks a market buy against buying power as if it were a limit order 2.5% to 4%
above the current price; the sim uses the low end. In margin mode a market order fills
at the quote, a buy at the ask and a sell at the bid, ``spread_pct`` apart around the
last trade (a limit order only within its limit); a cash account (the sim's default)
fills at the last trade.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trader.core.money import ZERO
from trader.sim.state import SimState

INITIAL_MARGIN = Decimal("0.50")
MAINTENANCE_MARGIN = Decimal("0.25")
MARKET_BUY_CHECK = Decimal("0.025")  # a market buy is checked 2.5% above the price
INTRADAY_MULTIPLIER_FROM = Decimal(2000)  # equity above which a margin account gets 4
CENT = Decimal("0.01")
HALF_CENT_SPREAD = Decimal("0.01")  # the half spread a cash account's quote shows


def multiplier_for(equity: Decimal) -> Decimal:
    """What Alpaca grants a paper margin account of this equity."""
    return Decimal(4) if equity > INTRADAY_MULTIPLIER_FROM else Decimal(1)


def quote(state: SimState, symbol: str) -> tuple[Decimal, Decimal]:
    """(bid, ask) around the last trade: ``spread_pct`` apart, or a cent each side."""
    price = state.prices[symbol]
    if state.spread_pct > ZERO:
        half = price * state.spread_pct / Decimal(200)
        step = CENT if price >= 1 else Decimal("0.0001")
        bid = (price - half).quantize(step, rounding=ROUND_FLOOR)
        ask = (price + half).quantize(step, rounding=ROUND_CEILING)
        return max(bid, step), ask
    half = HALF_CENT_SPREAD if price >= 1 else Decimal("0.0001")
    return price - half, price + half


def market_fill_price(state: SimState, symbol: str, side: str) -> Decimal:
    """What a marketable market order trades at: the quote in margin mode, else the last trade."""
    if state.multiplier <= 1 and state.spread_pct == ZERO:
        return state.prices[symbol]
    bid, ask = quote(state, symbol)
    return ask if side == "buy" else bid


def initial_margin(long_value: Decimal) -> Decimal:
    return long_value * INITIAL_MARGIN


def maintenance_margin(long_value: Decimal) -> Decimal:
    return long_value * MAINTENANCE_MARGIN


def account_buying_power(state: SimState, equity: Decimal, last_equity: Decimal) -> Decimal:
    """Buying power before open orders, as Alpaca's account document defines it."""
    long_value = state.long_market_value()
    if state.multiplier >= 4:
        return max(last_equity - maintenance_margin(long_value), ZERO) * 4
    if state.multiplier >= 2:
        return max(equity - initial_margin(long_value), ZERO) * 2
    return max(state.cash, ZERO)
