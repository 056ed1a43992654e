"""The reference price: a symbol's price is trusted only when independent sources agree.

Real feeds send bad prints: an odd-lot or late trade on one venue, a stale quote, a
close not yet adjusted for a split, zeros during an outage. So the price a plan or an
order would use (``price``) is checked against the other evidence there is:

- the **band**: the latest trade and the quote's midpoint may not differ from ``price``
  by more than ``band_pct`` (a crossed or one-sided quote is no evidence, and of a quote
  wider than the band, the price need only lie within the band of its bid-ask range);
- the **move**: ``price`` may not be more than ``move_pct`` away from the previous
  close, nor from the last price ``trader`` stored, unless a corporate action (a split,
  a dividend) since explains it.

Gaps are measured symmetrically, as ``larger / smaller - 1``: a tenfold low print and a
tenfold high one are both 900% away. Pure: the evidence is gathered by the adapters
(``trader.planning.reference``).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from decimal import Decimal

from trader.core.domain import Side
from trader.core.engine.plan import Plan, SkippedOrder, TaxEstimate
from trader.core.money import ZERO, plain

HUNDRED = Decimal(100)
TWO = Decimal(2)


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """What the data feed says of a symbol now: its latest trade, quote and previous close."""

    symbol: str
    trade: Decimal | None
    bid: Decimal | None
    ask: Decimal | None
    previous_close: Decimal | None

    @property
    def midpoint(self) -> Decimal | None:
        """The quote's midpoint; None for a one-sided or crossed quote, which says nothing
        about the price."""
        if self.bid is None or self.ask is None or not ZERO < self.bid <= self.ask:
            return None
        return (self.bid + self.ask) / 2


@dataclass(frozen=True, slots=True)
class PriceEvidence:
    """What is known of ``symbol``'s price now; a source that is missing is None."""

    symbol: str
    price: Decimal | None  # the price to trust: the plan's (or the order's) price
    trade: Decimal | None = None  # the latest trade
    bid: Decimal | None = None
    ask: Decimal | None = None
    previous_close: Decimal | None = None
    stored: Decimal | None = None  # the last price trader stored (the previous sync)
    explained: str | None = None  # a corporate action that explains a move, e.g. "split 10:1"


@dataclass(frozen=True, slots=True)
class PriceCheck:
    """The verdict: ``price`` when trusted, else ``reason`` with the figures."""

    symbol: str
    price: Decimal | None
    reason: str | None = None

    @property
    def trusted(self) -> bool:
        return self.reason is None and self.price is not None


def gap_pct(a: Decimal, b: Decimal) -> Decimal:
    """How far apart two positive prices are, in percent of the smaller one."""
    low, high = min(a, b), max(a, b)
    return (high / low - 1) * HUNDRED


def _pct(value: Decimal) -> str:
    return f"{plain(value.quantize(Decimal('0.1')))}%"


def _money(value: Decimal) -> str:
    """A price as quotes show it: whole cents from $1, four decimals below."""
    return str(value.quantize(Decimal("0.01") if value >= 1 else Decimal("0.0001")))


def check_price(evidence: PriceEvidence, band_pct: Decimal, move_pct: Decimal) -> PriceCheck:
    """Whether ``evidence.price`` is a price to trade on; the reason names every figure."""
    symbol, price = evidence.symbol, evidence.price
    if price is None or price <= ZERO:
        return PriceCheck(symbol, None, f"{symbol}: no price to check")
    problems: list[str] = []
    trade = evidence.trade
    if trade is not None and trade > ZERO and gap_pct(price, trade) > band_pct:
        problems.append(
            f"the latest trade {_money(trade)} is {_pct(gap_pct(price, trade))} away "
            f"(band {_pct(band_pct)})"
        )
    bid, ask = evidence.bid, evidence.ask
    if bid is not None and ask is not None and ZERO < bid <= ask:
        mid = (bid + ask) / TWO
        spread = (ask - bid) / mid * HUNDRED
        if spread > band_pct:
            # Too wide to vouch for a midpoint (a thin symbol's quote on one venue): the
            # price need only lie within the band of the bid-ask range.
            low, high = bid, ask
            outside = gap_pct(price, low) if price < low else gap_pct(price, high)
            if (price < low or price > high) and outside > band_pct:
                problems.append(
                    f"it is {_pct(outside)} outside the quote {_money(bid)}/{_money(ask)} "
                    f"({_pct(spread)} wide; band {_pct(band_pct)})"
                )
        elif gap_pct(price, mid) > band_pct:
            problems.append(
                f"the quote midpoint {_money(mid)} "
                f"(spread {_pct(spread)}) is {_pct(gap_pct(price, mid))} away "
                f"(band {_pct(band_pct)})"
            )
    if evidence.explained is None:
        for name, anchor in (
            ("previous close", evidence.previous_close),
            ("last stored price", evidence.stored),
        ):
            if anchor is not None and anchor > ZERO and gap_pct(price, anchor) > move_pct:
                problems.append(
                    f"it moved {_pct(gap_pct(price, anchor))} from the {name} {_money(anchor)} "
                    f"(limit {_pct(move_pct)}) with no split or dividend to explain it"
                )
    if problems:
        return PriceCheck(
            symbol,
            None,
            f"{symbol}: price {_money(price)} not trusted: {'; '.join(problems)}",
        )
    return PriceCheck(symbol, price)


def category_of(categories: Mapping[str, tuple[str, ...]], symbol: str) -> str:
    return next((name for name, symbols in categories.items() if symbol in symbols), "")


def name_untrusted(
    plan: Plan,
    untrusted: Mapping[str, str],
    categories: Mapping[str, tuple[str, ...]],
    held: Set[str],
) -> Plan:
    """The plan with every symbol whose price is not trusted named in ``skipped`` (once,
    with the figures), and, when a held one is among them, with no orders at all.

    A held symbol with an untrusted price cannot be valued: the equity, every category's
    weight and so every order of the plan rest on it. Selling or buying anything on such
    a figure could move real money the wrong way, so the plan holds all its orders back
    (each named in ``skipped``) and the next plan, on clean data, trades."""
    if not untrusted:
        return plan
    skipped = list(plan.skipped)
    named = {s.symbol for s in skipped}
    orders = plan.orders
    cash_after = plan.cash_after
    bad_held = sorted(s for s in untrusted if s in held)
    if bad_held and orders:
        why = (
            f"held back: the price of held {', '.join(bad_held)} is not trusted, so the "
            f"account cannot be valued this run"
        )
        for order in orders:
            cash_after += order.est_value if order.side is Side.BUY else -order.est_value
            skipped.append(SkippedOrder(order.symbol, order.category, order.side, why))
        orders = ()
    for symbol in sorted(untrusted):
        if symbol in named:
            continue
        side = Side.SELL if symbol in held else Side.BUY
        reason = f"not traded this run: {untrusted[symbol]}"
        skipped.append(SkippedOrder(symbol, category_of(categories, symbol), side, reason))
    return replace(
        plan,
        orders=orders,
        skipped=tuple(skipped),
        cash_after=cash_after,
        tax=plan.tax if orders else TaxEstimate(),
    )
