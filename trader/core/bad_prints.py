"""Bad prints in daily closes: a close the feed got wrong, found and dropped before use.

Daily closes feed the trailing stops' peaks, the built-in scores and the backtests. A
feed sometimes sends a close that never traded: an odd-lot or late print, a close not
adjusted around a split, a digit slipped (×100). One such close sets a peak no later
price comes near, and the stop fires on a holding that never fell.

A close is a **bad print** when either:

- it lies outside its own bar's low..high (when the bar has them): a close is a trade
  of that day, so it cannot be beyond the day's range; or
- it **jumps and reverts**: it is more than ``JUMP`` (20%) away from both the close
  before it and the close after it, while those two agree within ``AGREE`` (5%).

The two thresholds: exchanges bust "clearly erroneous" trades that are 3-10% away from
the reference price (more for leveraged funds), and the quality filters used on daily
equity data flag moves of 10-20% on liquid funds. A real close 20% away from both
neighbours, with the neighbours within 5% of each other, means a fund that moved 20%
in a day and moved all the way back the next; that does not happen to a liquid ETF,
and dropping such a day would cost a stop one peak, not a sale. The 5% agreement keeps
real crashes and rebounds: the day after a real fall is rarely back within 5% of the day
before it.

The close before is the last close kept (so a bad print never vouches for the next
one). The **first close** has none before it and is kept: a reader that needs it
judged reads a few days more before it (the peaks do). The **last close** has none
after it: the latest trade stands in for the next close when one is given; without one
the last close is kept, since a move and a bad print cannot be told apart from one side.

This module is pure: closes in, kept closes and bad prints out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from trader.core.money import dollars

JUMP = Decimal("0.20")  # away from both neighbours by more than this...
AGREE = Decimal("0.05")  # ...while they agree within this: a jump that reverts


@dataclass(frozen=True, slots=True)
class DailyClose:
    """One day's close, with its bar's low and high when the source has them."""

    day: date
    close: Decimal
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BadPrint:
    """A close dropped as a bad print, with the evidence."""

    symbol: str
    day: date
    close: Decimal
    before: Decimal | None  # the close kept before it
    after: Decimal | None  # the close after it (or the latest trade, for the last close)
    low: Decimal | None = None  # its bar's range, when the close lay outside it
    high: Decimal | None = None

    @property
    def text(self) -> str:
        head = f"{self.symbol}: the close of {self.day} ({dollars(self.close)}) was dropped"
        if self.low is not None and self.high is not None:
            return (
                f"{head} as a bad print: it lies outside its bar's range "
                f"{dollars(self.low)}..{dollars(self.high)}"
            )
        return (
            f"{head} as a bad print: its neighbours are {dollars(self.before or 0)} "
            f"and {dollars(self.after or 0)}"
        )


def _away(value: Decimal, reference: Decimal) -> Decimal:
    return abs(value - reference) / reference


def _outside_bar(close: DailyClose) -> bool:
    low, high = close.low, close.high
    return low is not None and high is not None and not low <= close.close <= high


def _reverts(before: Decimal, value: Decimal, after: Decimal) -> bool:
    return (
        _away(value, before) > JUMP and _away(value, after) > JUMP and _away(after, before) <= AGREE
    )


def clean_closes(
    symbol: str, closes: Sequence[DailyClose], latest: Decimal | None = None
) -> tuple[list[DailyClose], list[BadPrint]]:
    """The closes (oldest first) without their bad prints, and the bad prints.

    ``latest`` is the latest trade, the last close's only neighbour after it."""
    if latest is not None and not latest > 0:
        latest = None  # no price: nothing to judge the last close by
    kept: list[DailyClose] = []
    dropped: list[BadPrint] = []
    for index, close in enumerate(closes):
        before = kept[-1].close if kept else None
        after = closes[index + 1].close if index + 1 < len(closes) else latest
        if _outside_bar(close):
            dropped.append(
                BadPrint(symbol, close.day, close.close, before, after, close.low, close.high)
            )
        elif before is not None and after is not None and _reverts(before, close.close, after):
            dropped.append(BadPrint(symbol, close.day, close.close, before, after))
        else:
            kept.append(close)
    return kept, dropped
