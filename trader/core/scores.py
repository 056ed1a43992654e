"""The built-in score: how cheap a symbol is now against its own recent prices, 0 to 100.

"Buy when cheap", as the product brief puts it, made into a number from daily closes:

- **average part**: how far the price sits below its 50-day average, from -1 (10% or more
  above it) to +1 (10% or more below it), linear in between;
- **high part**: how far the price sits below its 252-day (one-year) high, from 0 (at the
  high) to 1 (20% or more below it).

``score = 100 × (0.5 × (average part + 1) / 2 + 0.5 × high part)``, rounded to a whole
number. At its average and at its high a symbol scores 25; 10% below both, 75; 10% below
its average and 20% below its high, 100. With fewer than 50 closes there is no score.
It says nothing about a fund's quality: it only ranks a category's symbols by how far
they have fallen, for the buy choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from trader.core.money import ZERO

AVERAGE_DAYS = 50
HIGH_DAYS = 252
ONE = Decimal(1)


def _clip(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def cheapness_score(closes: Sequence[Decimal], price: Decimal | None = None) -> Decimal | None:
    """The score of the last close (or ``price``) against the closes before it, oldest first."""
    if len(closes) < AVERAGE_DAYS:
        return None
    now = closes[-1] if price is None else price
    if now <= ZERO:
        return None
    average = sum(closes[-AVERAGE_DAYS:], ZERO) / AVERAGE_DAYS
    high = max(max(closes[-HIGH_DAYS:]), now)
    below_average = _clip((average - now) / average / Decimal("0.10"), -ONE, ONE)
    below_high = _clip((high - now) / high / Decimal("0.20"), ZERO, ONE)
    score = 100 * (Decimal("0.5") * (below_average + 1) / 2 + Decimal("0.5") * below_high)
    return score.quantize(ONE, rounding=ROUND_HALF_EVEN)
