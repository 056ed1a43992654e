"""The price collar: every order ``trader execute`` sends is a marketable limit order.

A buy's limit is the reference price plus ``execution.price_collar_pct``, a sell's the
reference price less it, so no order can fill far from the price the run checked: a
bad print that sized an order ten times too big leaves it resting, unfilled, instead of
trading at the real price. ``execution.order_type: market`` sends market orders instead.

Limit prices follow Alpaca's ticks: whole cents from $1, four decimals below. They are
rounded inward (a buy's down, a sell's up), so the collar is never wider than the setting.

``reference_price`` is the one place that says which price a limit rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trader.core.domain import Side
from trader.core.staging import StagedOrder

HUNDRED = Decimal(100)
CENT_TICK = Decimal("0.01")  # limit prices of $1 or more
SUB_DOLLAR_TICK = Decimal("0.0001")  # limit prices below $1


def reference_price(symbol: str, prices: Mapping[str, Decimal], planned: Decimal) -> Decimal:
    """The price a symbol's limit rests on: the latest price read before sending, else the
    plan's estimate."""
    return prices.get(symbol, planned)


def to_tick(value: Decimal, side: Side) -> Decimal:
    """``value`` on Alpaca's tick, rounded inward: a buy's limit down, a sell's up."""
    rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
    if value >= 1:
        return value.quantize(CENT_TICK, rounding=rounding)
    rounded = value.quantize(SUB_DOLLAR_TICK, rounding=rounding)
    if rounded >= 1:  # a sell just under $1 rounded up to $1.0000: on the cent tick
        rounded = rounded.quantize(CENT_TICK)
    return max(rounded, SUB_DOLLAR_TICK)


def limit_price(side: Side, reference: Decimal, collar_pct: Decimal) -> Decimal:
    """A buy at the reference plus the collar, a sell at it minus the collar, on the tick."""
    sign = 1 if side is Side.BUY else -1
    return to_tick(reference * (1 + sign * collar_pct / HUNDRED), side)


def limit_prices(
    orders: Iterable[StagedOrder], prices: Mapping[str, Decimal], collar_pct: Decimal
) -> dict[int, Decimal]:
    """Each order's limit price, by its number in the plan."""
    return {
        order.seq: limit_price(
            order.side, reference_price(order.symbol, prices, order.est_price), collar_pct
        )
        for order in orders
    }


def worst_price(
    order: StagedOrder, prices: Mapping[str, Decimal], limit: Decimal | None
) -> Decimal:
    """The price per share the guards count an order at: a buy at its limit (the most it can
    pay), a sell at the reference (a sell's limit is below it), a market order at the
    reference."""
    reference = reference_price(order.symbol, prices, order.est_price)
    return max(reference, limit) if limit is not None else reference
