"""Daily closes on one calendar of market days, and what was missing from them.

The backtest needs one close per symbol per day. Sources disagree on which days they
cover: a fund that starts later has no early closes, a data feed can skip a day. This
module lines every symbol up on the union of the days any symbol has, then makes the
gaps explicit:

- the backtest **starts** on the first day every symbol it holds has a close (never
  earlier than asked), and the later-starting symbols are named;
- a **missing close** from that start on is carried forward from the last one, and every
  such gap is reported (symbol, how many days, first and last date). A symbol with no
  close on the start day itself takes its last close before it (a symbol with none at
  all before it starts later, above), and the note says from which day. Nothing is
  filled without saying so;
- a **bad print** (``trader.core.bad_prints``: a close 20% away from both neighbours
  that agree) is dropped before any of that, so it becomes a missing close carried
  forward, and it is named.

Closes are float64 in a numpy array (days x symbols): the backtest values portfolios
in bulk between rebalances. The engine itself is given Decimal prices, see
:func:`decimal_price`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from trader.core.bad_prints import JUMP, BadPrint, DailyClose, clean_closes


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """Closes as read: ``closes[day, symbol]``, NaN where a source has no close."""

    days: tuple[date, ...]
    symbols: tuple[str, ...]
    closes: np.ndarray

    def __post_init__(self) -> None:
        if self.closes.shape != (len(self.days), len(self.symbols)):
            raise ValueError("closes must be days x symbols")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError("days must be strictly increasing")
        if np.any(self.closes[~np.isnan(self.closes)] <= 0):
            raise ValueError("every close must be positive")

    @classmethod
    def from_series(cls, series: Mapping[str, Mapping[date, Decimal | float]]) -> PriceHistory:
        """Line per-symbol ``{day: close}`` series up on the union of their days."""
        days = tuple(sorted({day for closes in series.values() for day in closes}))
        symbols = tuple(series)
        index = {day: i for i, day in enumerate(days)}
        closes = np.full((len(days), len(symbols)), np.nan)
        for column, symbol in enumerate(symbols):
            for day, close in series[symbol].items():
                closes[index[day], column] = float(close)
        return cls(days, symbols, closes)


@dataclass(frozen=True, slots=True)
class Gap:
    """Closes of ``symbol`` missing inside the backtest and carried forward.

    ``before_start`` is the day of the close carried into the start day, when the symbol
    has none on it: that close is older than the backtest's first day."""

    symbol: str
    missing_days: int
    first: date
    last: date
    before_start: date | None = None

    def describe(self) -> str:
        span = f"{self.first}" if self.first == self.last else f"{self.first} to {self.last}"
        plural = "s" if self.missing_days > 1 else ""
        source = (
            f"the last close before the start ({self.before_start})"
            if self.before_start
            else "the previous close"
        )
        return (
            f"{self.symbol}: {self.missing_days} missing close{plural} ({span}) carried "
            f"forward from {source}"
        )


@dataclass(frozen=True, slots=True)
class PreparedPrices:
    """Closes with no gaps, for the symbols the backtest holds, and how they were made so."""

    days: tuple[date, ...]
    symbols: tuple[str, ...]
    closes: np.ndarray  # days x symbols, no NaN
    requested_start: date | None
    late_starts: Mapping[str, date]  # symbol -> first close, when after the requested start
    gaps: tuple[Gap, ...]
    bad_prints: tuple[BadPrint, ...] = ()  # closes dropped before the gaps were filled

    def notes(self) -> list[str]:
        """What a reader must know about the data, in words."""
        notes = []
        if self.late_starts:
            names = ", ".join(f"{s} ({d})" for s, d in sorted(self.late_starts.items()))
            asked = f" instead of {self.requested_start}" if self.requested_start else ""
            notes.append(
                f"starts {self.days[0]}{asked}: the first day every symbol has a close; "
                f"later starts: {names}"
            )
        notes.extend(bad.text for bad in self.bad_prints)
        notes.extend(gap.describe() for gap in self.gaps)
        return notes


def prepare(
    history: PriceHistory,
    symbols: Sequence[str],
    start: date | None = None,
    end: date | None = None,
) -> PreparedPrices:
    """Cut the history to ``symbols`` and ``[start, end]``, start where all have a close,
    and carry forward (and report) every missing close from that day on, the start day's
    from the last close before it (in ``[start, end]`` too)."""
    missing = [s for s in symbols if s not in history.symbols]
    if missing:
        raise ValueError(f"no prices for {', '.join(missing)}")
    columns = [history.symbols.index(s) for s in symbols]
    rows = _day_rows(history.days, start, end)
    cleaned, bad_prints = _without_bad_prints(history, columns, symbols)
    closes = cleaned[rows]  # rows of a copy of the history's, in C order
    kept_days = history.days[rows]
    have = ~np.isnan(closes)
    if not kept_days or not have.any(axis=0).all():
        empty = [s for s, col in zip(symbols, have.any(axis=0), strict=True) if not col]
        detail = f": none for {', '.join(empty)}" if empty and kept_days else ""
        raise ValueError(f"no closes between {start or 'the start'} and {end or 'the end'}{detail}")
    firsts = have.argmax(axis=0)
    first_row = int(firsts.max())
    late = {s: kept_days[int(row)] for s, row in zip(symbols, firsts, strict=True) if row > 0}
    before_start: dict[int, date] = {}
    for column in np.flatnonzero(~have[first_row]):  # closes before the start, none on it
        row = first_row - 1 - int(have[first_row - 1 :: -1, column].argmax())
        closes[first_row, column] = closes[row, column]  # a copy: the history is untouched
        before_start[int(column)] = kept_days[row]
    closes = closes[first_row:]
    have = have[first_row:]
    kept_days = kept_days[first_row:]
    if len(kept_days) < 2:
        raise ValueError("fewer than two days with a close for every symbol")
    gaps: list[Gap] = []
    for column in np.flatnonzero(~have.all(axis=0)):  # the symbols with a gap, in order
        holes = np.flatnonzero(~have[:, column])
        first, last = kept_days[int(holes[0])], kept_days[int(holes[-1])]
        carried = before_start.get(int(column))
        gaps.append(Gap(symbols[int(column)], int(holes.size), first, last, carried))
    filled = _carry_forward(closes) if gaps else closes  # already a copy of the history's
    return PreparedPrices(
        days=tuple(kept_days),
        symbols=tuple(symbols),
        closes=filled,
        requested_start=start,
        late_starts=late,
        gaps=tuple(gaps),
        bad_prints=tuple(b for b in bad_prints if kept_days[0] <= b.day <= kept_days[-1]),
    )


def _without_bad_prints(
    history: PriceHistory, columns: list[int], symbols: Sequence[str]
) -> tuple[np.ndarray, list[BadPrint]]:
    """The columns' closes over the whole history, bad prints made NaN, and the bad
    prints. Judged over the whole history, so the first and last day of a shorter backtest
    have their neighbours; only a series with a move beyond ``JUMP`` is looked at closely."""
    closes = np.take(history.closes, columns, axis=1)  # a copy
    found: list[BadPrint] = []
    row_of: dict[date, int] | None = None
    for column, symbol in enumerate(symbols):
        rows = np.flatnonzero(~np.isnan(closes[:, column]))
        values = closes[rows, column]
        if values.size < 3 or not (np.abs(values[1:] / values[:-1] - 1.0) > float(JUMP)).any():
            continue
        daily = [
            DailyClose(history.days[int(row)], decimal_price(value))
            for row, value in zip(rows, values.tolist(), strict=True)
        ]
        _, dropped = clean_closes(symbol, daily)
        if dropped and row_of is None:
            row_of = {day: row for row, day in enumerate(history.days)}
        for bad in dropped:
            assert row_of is not None
            closes[row_of[bad.day], column] = np.nan
        found.extend(dropped)
    return closes, found


def _day_rows(days: tuple[date, ...], start: date | None, end: date | None) -> slice:
    """The rows of ``days`` in ``[start, end]``. The days are strictly increasing (see
    :class:`PriceHistory`), so they are one run of rows, found by bisection: no comparison
    per day, and none at all when neither bound is given."""
    first = 0 if start is None else bisect_left(days, start)
    stop = len(days) if end is None else bisect_right(days, end)
    return slice(first, stop)


def _carry_forward(closes: np.ndarray) -> np.ndarray:
    """Each NaN becomes the last close above it (row 0 has none: the caller fills it)."""
    rows = np.arange(closes.shape[0])[:, None]
    last = np.where(np.isnan(closes), 0, rows)
    np.maximum.accumulate(last, axis=0, out=last)
    return closes[last, np.arange(closes.shape[1])]


def decimal_price(close: float) -> Decimal:
    """The engine's Decimal for a close: the shortest decimal that reads back as the float,
    so a close read as ``"101.37"`` is ``Decimal("101.37")`` again."""
    return Decimal(repr(float(close)))


def decimal_prices(closes: np.ndarray) -> list[Decimal]:
    """:func:`decimal_price` of every close of a row, in one pass (the backtest asks for
    a whole row on every decision day): Python floats read back the same as numpy's."""
    return list(map(Decimal, map(repr, closes.tolist())))
