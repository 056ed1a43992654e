"""A year's realized gains and losses, from the closed pieces of the lots.

Each sale closes pieces of lots (see ``trader.core.lots``); each piece's gain is
short-term or long-term by how long its lot was held, and a loss may be partly washed
(disallowed, moved into the replacement shares' basis). The year's summary adds the
pieces sold in that year: gains and losses that count, by holding period, and the washed
losses apart. Pieces whose sale the history cannot date (shares sold before it began)
are left out. An estimate from the fills, not a tax form: the broker's 1099-B decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from trader.core.lots import ClosedLot
from trader.core.money import ZERO


@dataclass(frozen=True, slots=True)
class TaxYear:
    year: int
    short_term_gains: Decimal = ZERO
    short_term_losses: Decimal = ZERO  # negative; washed parts excluded
    long_term_gains: Decimal = ZERO
    long_term_losses: Decimal = ZERO
    washed_losses: Decimal = ZERO  # positive: the losses disallowed by wash sales
    proceeds: Decimal = ZERO
    sales: int = 0  # closed pieces counted

    @property
    def net_short_term(self) -> Decimal:
        return self.short_term_gains + self.short_term_losses

    @property
    def net_long_term(self) -> Decimal:
        return self.long_term_gains + self.long_term_losses


def tax_year(closed: Iterable[ClosedLot], year: int) -> TaxYear:
    """The realized gains and losses of the pieces sold in ``year``."""
    st_gain = st_loss = lt_gain = lt_loss = washed = proceeds = ZERO
    count = 0
    for piece in closed:
        if piece.sold == date.min or piece.sold.year != year:
            continue
        count += 1
        proceeds += piece.qty * piece.price
        washed += piece.washed
        gain = piece.recognized
        if piece.long_term:
            lt_gain += max(gain, ZERO)
            lt_loss += min(gain, ZERO)
        else:
            st_gain += max(gain, ZERO)
            st_loss += min(gain, ZERO)
    return TaxYear(year, st_gain, st_loss, lt_gain, lt_loss, washed, proceeds, count)
