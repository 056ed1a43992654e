"""Working orders: trades the account already has on their way, counted as if filled.

A plan made from positions alone would send again what an earlier plan (or the user)
has sent and the broker has not filled yet: a slow fill, an order queued before the
open. So every working order of the account is counted as a change already made: a
sell takes its shares out of the holding and brings its value into cash, a buy the
other way round, each at its limit price or else the symbol's price now. The plan then
trades only what is still missing, and says which working orders it counted.

Two sources: the synced account's open orders (ours and the user's), and, when the
plan reads a stored sync (``--no-sync``), the orders ``trader`` sent after that sync,
which it cannot show (filled or not, their effect is not in it). Stop and trailing-stop
orders are not counted: they may never fire.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from trader.core.domain import Order, Side
from trader.core.money import QTY_STEP, ZERO, plain
from trader.core.policy import Holding, Portfolio
from trader.core.staging import StagedOrder

# Orders that fill when the market lets them; a stop waits for a price that may never come.
COUNTED_TYPES = frozenset({"market", "limit"})


@dataclass(frozen=True, slots=True)
class WorkingOrder:
    """The part of an order still to fill, and the price it is counted at."""

    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    ours: bool

    def __post_init__(self) -> None:
        if self.qty <= ZERO or self.price <= ZERO:
            raise ValueError(f"{self.symbol}: a working order has a positive quantity and price")

    @property
    def label(self) -> str:
        return f"{self.side.value} {plain(self.qty)} {self.symbol}"


def _is_ours(client_order_id: str) -> bool:
    return client_order_id.startswith("trader-")


def working_orders(
    open_orders: Iterable[Order],
    sent_since_sync: Iterable[StagedOrder],
    prices: Mapping[str, Decimal],
) -> tuple[list[WorkingOrder], list[str]]:
    """The orders to count, and a warning for each open order that is not counted.

    ``prices`` are the symbols' prices now (held or priced for the plan)."""
    found: list[WorkingOrder] = []
    warnings: list[str] = []
    listed = set()
    for order in open_orders:
        listed.add(order.client_order_id)
        if order.order_type not in COUNTED_TYPES:
            continue  # a stop: it may never fire, so it is not counted
        price = order.limit_price or prices.get(order.symbol)
        if price is None or price <= ZERO:
            warnings.append(
                f"{order.symbol}: open {order.side.value} order {order.order_id} not counted by "
                f"the plan: no price for it"
            )
            continue
        if order.qty is not None:
            left = order.qty - order.filled_qty
        else:
            spent = order.filled_qty * (order.filled_avg_price or price)
            left = ((order.notional or ZERO) - spent) / price
        left = left.quantize(QTY_STEP)
        if left > ZERO:
            ours = _is_ours(order.client_order_id)
            found.append(WorkingOrder(order.symbol, order.side, left, price, ours))
    for staged in sent_since_sync:
        if staged.client_order_id in listed:
            continue
        qty = (staged.sent_qty or staged.qty) if staged.is_open else staged.filled_qty
        price = staged.filled_avg_price or prices.get(staged.symbol) or staged.est_price
        if qty > ZERO:
            found.append(WorkingOrder(staged.symbol, staged.side, qty, price, ours=True))
    return found, warnings


def count_working(portfolio: Portfolio, working: Sequence[WorkingOrder]) -> Portfolio:
    """The portfolio as if every working order had filled at its counted price."""
    if not working:
        return portfolio
    holdings = {h.symbol: h for h in portfolio.holdings}
    order = [h.symbol for h in portfolio.holdings]
    cash = portfolio.cash
    for trade in working:
        held = holdings.get(trade.symbol)
        if trade.side is Side.BUY:
            cash -= trade.qty * trade.price
            if held is None:
                holdings[trade.symbol] = Holding(trade.symbol, trade.qty, trade.price, trade.price)
                order.append(trade.symbol)
            else:
                holdings[trade.symbol] = replace(held, qty=held.qty + trade.qty)
        elif held is not None:
            sold = min(trade.qty, held.qty)
            cash += sold * trade.price
            holdings[trade.symbol] = replace(held, qty=held.qty - sold)
    return replace(portfolio, cash=cash, holdings=tuple(holdings[s] for s in order))


def working_note(working: Sequence[WorkingOrder]) -> list[str]:
    """What the review says about the working orders it counted."""
    if not working:
        return []
    count = len(working)
    ours = [w.label for w in working if w.ours]
    theirs = [w.label for w in working if not w.ours]
    parts = []
    if ours:
        parts.append(f"sent by trader: {', '.join(ours)}")
    if theirs:
        parts.append(f"placed by you: {', '.join(theirs)}")
    return [
        f"{count} working order{'s' if count > 1 else ''} counted as if filled "
        f"({'; '.join(parts)}): this plan trades only what they leave to do, and the trades "
        f"already working are not sent again"
    ]
