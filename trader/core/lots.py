"""Tax lots rebuilt from trades, closed first-in-first-out as Alpaca closes them.

Alpaca offers no lot selection and no lots endpoint: a position's lots exist only in
its history of fills. ``build_lots`` replays an account's trades oldest first — buys
on the same day are averaged into one lot, as Alpaca does for tax reporting, its cost
per share half-even to 9 decimals (an exact average of 430 and 480 has no end, and
every gain worked out from it would carry its endless digits); a sell
closes the oldest lots first — and returns the open lots and the closed pieces with
their realized gain. When the history does not reach back far enough to explain a
position, the unexplained shares become one lot at the cost that makes the total
match the broker's average entry price, with an **unknown date** (never counted as
long-term, since the date cannot be shown).

"Long-term" means held more than one year: sold after the anniversary of the
acquisition date. Quantities and money are exact Decimals throughout.

**Wash sales** are applied during the replay, from the fills alone (nothing extra is
stored, so the lots stay consistent with the broker's history): a sell at a loss
whose shares are replaced by buys of the same symbol within 30 days before or after
it has that loss disallowed, share for share. The disallowed loss is added to the
replacement shares' basis, and their holding period starts at the sold shares'
acquisition date (IRS Publication 550). Replacement shares become a lot of their own,
kept in purchase order (Alpaca still closes them by when they were bought), marked
with the loss they carry; each replacement share serves one loss only.

**Splits** (from the broker's SPLIT activities, see ``trader.core.corporate``) are
replayed in their place among the trades, at the open of their day: every open lot
of the symbol keeps its basis, acquisition date and washed loss; its shares multiply
by the ratio and its cost per share divides by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from trader.core.corporate import Split
from trader.core.domain import Side
from trader.core.money import ZERO, per_share

WASH_DAYS = 30  # a buy within 30 days before or after a loss sale replaces the shares


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
    # A replacement lot of a wash sale: the disallowed loss its cost includes (dollars),
    # and the day it was really bought (``acquired`` is then the sold shares' date).
    washed: Decimal = ZERO
    bought: date | None = None

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
    washed: Decimal = ZERO  # of a loss, the part a wash sale disallowed (positive dollars)

    @property
    def gain(self) -> Decimal:
        return (self.price - self.cost) * self.qty

    @property
    def recognized(self) -> Decimal:
        """The gain that counts for tax: a loss less its washed part."""
        return self.gain + self.washed

    @property
    def long_term(self) -> bool:
        return is_long_term(self.acquired, self.sold)


@dataclass(frozen=True, slots=True)
class Realization:
    """What selling some shares would realize, split by holding period.

    ``short_term`` and ``long_term`` are what counts for tax; ``washed`` is the loss a
    wash sale disallows (positive), so the sale's own gain is ``total - washed``.
    """

    short_term: Decimal = ZERO
    long_term: Decimal = ZERO
    qty: Decimal = ZERO
    washed: Decimal = ZERO

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
    left, closed = close_fifo(lots, qty, price, day)
    _, closed, _ = wash_before(left, closed)
    short = sum((c.recognized for c in closed if not c.long_term), ZERO)
    long = sum((c.recognized for c in closed if c.long_term), ZERO)
    washed = sum((c.washed for c in closed), ZERO)
    return Realization(short, long, sum((c.qty for c in closed), ZERO), washed)


def _within_window(bought: date, sold: date) -> bool:
    return abs((bought - sold).days) <= WASH_DAYS


def _replaces(lot: Lot, sold: date) -> bool:
    """Shares that can replace a loss sold on ``sold``: bought within 30 days, not used yet."""
    return lot.washed == ZERO and lot.acquired is not None and _within_window(lot.acquired, sold)


def _as_replacement(lot: Lot, qty: Decimal, piece: ClosedLot) -> Lot:
    per_share = piece.cost - piece.price  # the loss per share, added to the basis
    return Lot(
        lot.symbol,
        qty,
        lot.cost + per_share,
        piece.acquired,
        washed=per_share * qty,
        bought=lot.acquired,
    )


def _wash_into(
    lots: list[Lot], piece: ClosedLot, can_replace: Callable[[Lot], bool]
) -> tuple[list[Lot], ClosedLot, Decimal]:
    """Match a loss piece's unwashed shares against ``lots``; returns lots, piece, shares left."""
    unwashed = piece.qty - piece.washed / (piece.cost - piece.price)
    out: list[Lot] = []
    for lot in lots:
        if unwashed <= ZERO or not can_replace(lot):
            out.append(lot)
            continue
        take = min(lot.qty, unwashed)
        replacement = _as_replacement(lot, take, piece)
        out.append(replacement)
        if take < lot.qty:
            out.append(replace(lot, qty=lot.qty - take))
        piece = replace(piece, washed=piece.washed + replacement.washed)
        unwashed -= take
    return out, piece, unwashed


def wash_before(
    left: tuple[Lot, ...], closed: list[ClosedLot]
) -> tuple[tuple[Lot, ...], list[ClosedLot], list[tuple[int, Decimal]]]:
    """Wash each loss piece against the lots bought within the 30 days before its sale.

    Returns the lots (replacements split off), the pieces with their washed part, and
    for each piece still partly unwashed its index and the shares a later buy may wash.
    """
    lots = list(left)
    pieces: list[ClosedLot] = []
    open_losses: list[tuple[int, Decimal]] = []
    for piece in closed:
        if piece.gain < ZERO and piece.sold != date.min:
            lots, piece, unwashed = _wash_into(
                lots, piece, lambda lot, p=piece: _replaces(lot, p.sold)
            )
            if unwashed > ZERO:
                open_losses.append((len(pieces), unwashed))
        pieces.append(piece)
    return tuple(lots), pieces, open_losses


@dataclass(frozen=True, slots=True)
class LotBook:
    """Every symbol's open lots, and every piece closed so far."""

    lots: Mapping[str, tuple[Lot, ...]]
    closed: tuple[ClosedLot, ...]

    def of(self, symbol: str) -> tuple[Lot, ...]:
        return self.lots.get(symbol, ())


def build_lots(
    trades: Iterable[Trade],
    positions: Mapping[str, tuple[Decimal, Decimal]] | None = None,
    splits: Iterable[Split] = (),
) -> LotBook:
    """Replay ``trades`` into lots; reconcile with ``positions`` (symbol -> (qty, avg entry)).

    Trades are replayed in the order given (oldest first), each split before the first
    trade of its day or later (a split takes effect at the open). Shares a position holds
    beyond its known lots become one lot of unknown date; lots beyond what a position
    holds (sold outside the history) are closed oldest first, with no realized gain
    recorded, since their sale price is unknown.
    """
    lots: dict[str, list[Lot]] = {}
    closed: list[ClosedLot] = []
    pending: dict[str, list[int]] = {}  # loss pieces a later buy may still wash
    waiting = sorted(splits, key=lambda s: s.day)
    for trade in trades:
        while waiting and waiting[0].day <= trade.day:
            _split(lots, waiting.pop(0))
        held = lots.setdefault(trade.symbol, [])
        if trade.side is Side.BUY:
            last = held[-1] if held else None
            if last is not None and last.acquired == trade.day and last.washed == ZERO:
                qty = last.qty + trade.qty
                cost = per_share(last.basis + trade.qty * trade.price, qty)
                held[-1] = replace(last, qty=qty, cost=cost)
            else:
                held.append(Lot(trade.symbol, trade.qty, trade.price, trade.day))
            _wash_later(held, closed, pending.setdefault(trade.symbol, []), trade.day)
            continue
        left, pieces = close_fifo(tuple(held), trade.qty, trade.price, trade.day)
        left, pieces, open_losses = wash_before(left, pieces)
        lots[trade.symbol] = list(left)
        pending.setdefault(trade.symbol, []).extend(len(closed) + i for i, _ in open_losses)
        closed.extend(pieces)
    for split in waiting:
        _split(lots, split)
    for symbol, (qty, avg_entry) in (positions or {}).items():
        _reconcile(lots, symbol, qty, avg_entry)
    for symbol in list(lots):
        if positions is not None and symbol not in positions:
            lots[symbol] = []
    return LotBook({s: tuple(held) for s, held in sorted(lots.items()) if held}, tuple(closed))


def _split(lots: dict[str, list[Lot]], split: Split) -> None:
    held = lots.get(split.symbol)
    if held:
        lots[split.symbol] = [
            # ``old`` shares' cost spread over the ``new`` shares they became.
            replace(lot, qty=split.shares(lot.qty), cost=per_share(lot.cost * split.old, split.new))
            for lot in held
        ]


def _wash_later(held: list[Lot], closed: list[ClosedLot], pending: list[int], day: date) -> None:
    """A buy on ``day`` replaces the unwashed shares of losses sold in the 30 days before."""
    for index in list(pending):
        piece = closed[index]
        if not _within_window(day, piece.sold):
            pending.remove(index)
            continue
        # The day's buy is the last lot not yet serving as a replacement.
        last = held[-1] if held else None
        if last is None or last.acquired != day or last.washed != ZERO:
            return
        washed, piece, unwashed = _wash_into([last], piece, lambda lot: True)
        held[-1:] = washed
        closed[index] = piece
        if unwashed <= ZERO:
            pending.remove(index)


def _reconcile(lots: dict[str, list[Lot]], symbol: str, qty: Decimal, avg_entry: Decimal) -> None:
    held = lots.setdefault(symbol, [])
    known = sum((lot.qty for lot in held), ZERO)
    if known > qty:
        left, _ = close_fifo(tuple(held), known - qty, avg_entry, date.min)
        lots[symbol] = list(left)
    elif known < qty:
        missing = qty - known
        known_basis = sum((lot.basis for lot in held), ZERO)
        cost = per_share(qty * avg_entry - known_basis, missing)
        if cost < ZERO:
            cost = avg_entry
        held.insert(0, Lot(symbol, missing, cost, None))
