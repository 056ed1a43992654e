"""Tax lots rebuilt from trades, closed first-in-first-out as Alpaca closes them.

Alpaca offers no lot selection and no lots endpoint: a position's lots exist only in
its history of fills. ``build_lots`` replays an account's trades oldest first — buys
on the same day are averaged into one lot, as Alpaca does for tax reporting; a sell
closes the oldest lots first — and returns the open lots and the closed pieces with
their realized gain. When the history does not reach back far enough to explain a
position, the unexplained shares become one lot at the cost that makes the total
match the broker's average entry price, with an **unknown date** (never counted as
long-term, since the date cannot be shown).

"Long-term" means held more than one year: sold after the anniversary of the
acquisition date. Quantities and money are exact Decimals throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from trader.core.domain import Side
from trader.core.money import ZERO


@dataclass(frozen=True, slots=True)
class Trade:
    """One fill, as the lots need it: the trade date in the market's own time zone."""

    symbol: str
    side: Side
    qty: Decimal
    price: Decimal
    day: date

    def __post_init__(self) -> None:
        if self.qty <= ZERO or self.price <= ZERO:
            raise ValueError(f"{self.symbol}: a trade needs a positive quantity and price")


def _anniversary(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def is_long_term(acquired: date | None, sold: date) -> bool:
    """Held more than one year; a lot of unknown date is never shown as long-term."""
    return acquired is not None and sold > _anniversary(acquired)


@dataclass(frozen=True, slots=True)
class Lot:
    symbol: str
    qty: Decimal
    cost: Decimal  # per share
    acquired: date | None  # None: unknown (the history does not reach back)

    def __post_init__(self) -> None:
        if self.qty <= ZERO:
            raise ValueError(f"{self.symbol}: a lot holds a positive quantity")
        if self.cost < ZERO:
            raise ValueError(f"{self.symbol}: a lot's cost cannot be negative")

    @property
    def basis(self) -> Decimal:
        return self.qty * self.cost

    def gain_at(self, price: Decimal) -> Decimal:
        return (price - self.cost) * self.qty


@dataclass(frozen=True, slots=True)
class ClosedLot:
    """A piece of a lot closed by a sell, with its realized gain."""

    symbol: str
    qty: Decimal
    cost: Decimal
    price: Decimal
    acquired: date | None
    sold: date

    @property
    def gain(self) -> Decimal:
        return (self.price - self.cost) * self.qty

    @property
    def long_term(self) -> bool:
        return is_long_term(self.acquired, self.sold)


@dataclass(frozen=True, slots=True)
class Realization:
    """What selling some shares would realize, split by holding period."""

    short_term: Decimal = ZERO
    long_term: Decimal = ZERO
    qty: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.short_term + self.long_term


def close_fifo(
    lots: tuple[Lot, ...], qty: Decimal, price: Decimal, day: date
) -> tuple[tuple[Lot, ...], list[ClosedLot]]:
    """Close ``qty`` shares from the oldest lots; returns the lots left and the pieces closed."""
    left = list(lots)
    closed: list[ClosedLot] = []
    remaining = qty
    while remaining > ZERO and left:
        lot = left[0]
        take = min(lot.qty, remaining)
        closed.append(ClosedLot(lot.symbol, take, lot.cost, price, lot.acquired, day))
        remaining -= take
        if take == lot.qty:
            left.pop(0)
        else:
            left[0] = replace(lot, qty=lot.qty - take)
    return tuple(left), closed


def realize(lots: tuple[Lot, ...], qty: Decimal, price: Decimal, day: date) -> Realization:
    """The gain selling ``qty`` shares at ``price`` on ``day`` would realize (FIFO)."""
    _, closed = close_fifo(lots, qty, price, day)
    short = sum((c.gain for c in closed if not c.long_term), ZERO)
    long = sum((c.gain for c in closed if c.long_term), ZERO)
    return Realization(short, long, sum((c.qty for c in closed), ZERO))


@dataclass(frozen=True, slots=True)
class LotBook:
    """Every symbol's open lots, and every piece closed so far."""

    lots: Mapping[str, tuple[Lot, ...]]
    closed: tuple[ClosedLot, ...]

    def of(self, symbol: str) -> tuple[Lot, ...]:
        return self.lots.get(symbol, ())


def build_lots(
    trades: Iterable[Trade], positions: Mapping[str, tuple[Decimal, Decimal]] | None = None
) -> LotBook:
    """Replay ``trades`` into lots; reconcile with ``positions`` (symbol -> (qty, avg entry)).

    Trades are replayed in the order given (oldest first). Shares a position holds
    beyond its known lots become one lot of unknown date; lots beyond what a position
    holds (sold outside the history) are closed oldest first, with no realized gain
    recorded, since their sale price is unknown.
    """
    lots: dict[str, list[Lot]] = {}
    closed: list[ClosedLot] = []
    for trade in trades:
        held = lots.setdefault(trade.symbol, [])
        if trade.side is Side.BUY:
            last = held[-1] if held else None
            if last is not None and last.acquired == trade.day:
                qty = last.qty + trade.qty
                cost = (last.basis + trade.qty * trade.price) / qty
                held[-1] = replace(last, qty=qty, cost=cost)
            else:
                held.append(Lot(trade.symbol, trade.qty, trade.price, trade.day))
            continue
        left, pieces = close_fifo(tuple(held), trade.qty, trade.price, trade.day)
        lots[trade.symbol] = list(left)
        closed.extend(pieces)
    for symbol, (qty, avg_entry) in (positions or {}).items():
        _reconcile(lots, symbol, qty, avg_entry)
    for symbol in list(lots):
        if positions is not None and symbol not in positions:
            lots[symbol] = []
    return LotBook({s: tuple(held) for s, held in sorted(lots.items()) if held}, tuple(closed))


def _reconcile(lots: dict[str, list[Lot]], symbol: str, qty: Decimal, avg_entry: Decimal) -> None:
    held = lots.setdefault(symbol, [])
    known = sum((lot.qty for lot in held), ZERO)
    if known > qty:
        left, _ = close_fifo(tuple(held), known - qty, avg_entry, date.min)
        lots[symbol] = list(left)
    elif known < qty:
        missing = qty - known
        known_basis = sum((lot.basis for lot in held), ZERO)
        cost = (qty * avg_entry - known_basis) / missing
        if cost < ZERO:
            cost = avg_entry
        held.insert(0, Lot(symbol, missing, cost, None))
