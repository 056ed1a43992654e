"""The plan: an immutable value holding what to trade, what not to trade and why.

A :class:`Plan` carries the orders (sells first, then buys), the orders it decided
against with a reason a person can read, the allocation table it was made from, its
warnings, and ``input_hash``: a sha256 of a canonical serialisation of the policy and
portfolio, so that a staged plan can be checked against the account before it runs.
``cash_flow`` says how it treated a deposit or withdrawal and which kind of plan it made
(full rebalance, buys only, sells only); ``allocation_after`` is the table once every
order has filled at its estimated price.

``equity`` and ``cash`` are the account's as it is; ``investable`` and the allocation are
of the account as the plan sees it: with a deposit counted as cash, and a withdrawal kept
beside the reserve. ``cash_after`` is the cash once the deposit is in and the orders
have filled (a withdrawal is still in it, to be transferred out).

Estimated values are exact (quantity times estimated price); round them to the cent
only when showing or sending them. :func:`apply_plan` fills a plan's orders on a
portfolio at their estimated prices, for tests and for the backtest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from decimal import Decimal

from trader.core.domain import Side
from trader.core.engine.allocation import AllocationRow, after_trades
from trader.core.engine.cash_flow import CashFlowOutcome
from trader.core.money import QTY_STEP, ZERO, plain
from trader.core.policy import CASH_CATEGORY, Holding, Policy, Portfolio, RebalanceMethod
from trader.core.statuses import OrderKind


@dataclass(frozen=True, slots=True)
class TaxEstimate:
    """The plan's realized gains and losses by holding period, and what harvesting saves.

    An estimate from the lots and the estimated prices, at the config's tax rates: not
    tax advice. ``harvested_loss`` is the loss the harvest sales realize (negative);
    ``tax_saved`` what that loss is worth at the rates (positive). ``washed_loss`` is
    the loss wash sales disallow (positive): it is in none of the other figures, since
    it moves into the replacement shares' basis instead of lowering the tax.
    """

    short_term_gains: Decimal = ZERO
    short_term_losses: Decimal = ZERO
    long_term_gains: Decimal = ZERO
    long_term_losses: Decimal = ZERO
    harvested_loss: Decimal = ZERO
    tax_saved: Decimal = ZERO
    estimated_tax: Decimal = ZERO  # on every sale of the plan, net; negative is a saving
    lots_known: bool = True
    washed_loss: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    symbol: str
    side: Side
    qty: Decimal
    est_price: Decimal
    est_value: Decimal
    category: str
    reason: str
    est_realized_pl: Decimal | None = None
    kind: OrderKind = OrderKind.REBALANCE  # why the plan made the order
    # The part of est_realized_pl that counts for tax, by the lots sold's holding period.
    est_short_term: Decimal | None = None
    est_long_term: Decimal | None = None
    # Of a loss in est_realized_pl, the part a wash sale disallows (positive dollars; a
    # buy of the same symbol within 30 days): est_realized_pl = short + long - washed.
    # No tax saving: it moves into the replacement shares' basis.
    est_washed: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind not in OrderKind.__members__.values():
            raise ValueError(f"{self.symbol}: unknown order kind {self.kind!r}")
        object.__setattr__(self, "kind", OrderKind(self.kind))
        if self.qty <= ZERO:
            raise ValueError(f"{self.symbol}: order quantity must be positive")
        if self.est_price <= ZERO:
            raise ValueError(f"{self.symbol}: estimated price must be positive")
        if self.qty != self.qty.quantize(QTY_STEP):
            raise ValueError(f"{self.symbol}: quantity {self.qty} has more than 9 decimals")
        if (self.est_realized_pl is not None) != (self.side is Side.SELL):
            raise ValueError(f"{self.symbol}: realized P&L is estimated for sells only")


@dataclass(frozen=True, slots=True)
class SkippedOrder:
    symbol: str
    category: str
    side: Side
    reason: str

    def __post_init__(self) -> None:
        if not self.reason:
            raise ValueError(f"{self.symbol}: a skipped order needs a reason")


@dataclass(frozen=True, slots=True)
class Plan:
    method: RebalanceMethod
    due: bool
    equity: Decimal
    investable: Decimal
    cash: Decimal
    cash_after: Decimal
    allocation: tuple[AllocationRow, ...]
    orders: tuple[PlannedOrder, ...]
    skipped: tuple[SkippedOrder, ...]
    warnings: tuple[str, ...]
    input_hash: str
    tax: TaxEstimate = field(default_factory=TaxEstimate)
    cash_flow: CashFlowOutcome = field(default_factory=CashFlowOutcome)

    def __post_init__(self) -> None:
        sides = [order.side for order in self.orders]
        if sides != sorted(sides, key=lambda side: side is Side.BUY):
            raise ValueError("a plan lists its sells before its buys")
        if not self.due and any(o.kind == OrderKind.REBALANCE for o in self.orders):
            raise ValueError("a plan that is not due has no rebalancing orders")
        if len(self.input_hash) not in (0, 64):
            raise ValueError("input_hash must be a sha256 hex digest (or empty: not computed)")

    @property
    def sells(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is Side.SELL)

    @property
    def buys(self) -> tuple[PlannedOrder, ...]:
        return tuple(o for o in self.orders if o.side is Side.BUY)

    @property
    def reserve(self) -> Decimal:
        """The cash reserve the plan kept (the config's, not counting a withdrawal)."""
        flow = self.cash_flow
        return self.equity + flow.deposit - flow.withdrawal - flow.set_aside - self.investable

    @property
    def allocation_after(self) -> tuple[AllocationRow, ...]:
        """The allocation table once every order has filled at its estimated price."""
        changes: dict[str, Decimal] = {}
        for order in self.orders:
            sign = 1 if order.side is Side.BUY else -1
            changes[order.category] = changes.get(order.category, ZERO) + sign * order.est_value
        changes[CASH_CATEGORY] = self.cash_after - self.cash - self.cash_flow.deposit
        return after_trades(self.allocation, self.investable, changes)


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    slots = getattr(type(value), "__slots__", None)
    if slots is not None:
        derived = (
            {f.name for f in fields(value) if f.metadata.get("derived")}
            if is_dataclass(value)
            else set()
        )
        return {name: _canonical(getattr(value, name)) for name in slots if name not in derived}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def input_hash(policy: Policy, portfolio: Portfolio) -> str:
    """sha256 of the inputs in a canonical form: sorted keys, decimals without exponents.

    Holdings are sorted by symbol, so the order the broker lists them in does not matter;
    ``1.50`` and ``1.5`` hash alike.
    """
    holdings = sorted(portfolio.holdings, key=lambda h: h.symbol)
    payload = {
        "policy": _canonical(policy),
        "portfolio": _canonical(replace(portfolio, holdings=tuple(holdings))),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def apply_plan(portfolio: Portfolio, plan: Plan) -> Portfolio:
    """The portfolio after every order of the plan fills at its estimated price.

    Buys average their cost into the holding; sells leave the average cost unchanged.
    """
    holdings = {h.symbol: h for h in portfolio.holdings}
    cash = portfolio.cash
    for order in plan.orders:
        held = holdings.get(order.symbol)
        if held is None:
            held = Holding(order.symbol, ZERO, order.est_price)
        if order.side is Side.SELL:
            if order.qty > held.qty:
                raise ValueError(f"{order.symbol}: the plan sells {order.qty}, held {held.qty}")
            cash += order.est_value
            holdings[order.symbol] = replace(held, qty=held.qty - order.qty)
        else:
            cash -= order.est_value
            qty = held.qty + order.qty
            cost = (held.qty * held.avg_cost + order.est_value) / qty
            holdings[order.symbol] = replace(held, qty=qty, avg_cost=cost)
    ordered = [holdings.pop(h.symbol) for h in portfolio.holdings] + list(holdings.values())
    return replace(portfolio, cash=cash, holdings=tuple(ordered))
