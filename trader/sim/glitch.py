"""Bad market data on purpose (``trader sim glitch``): the sim's data answers lie for a symbol.

A glitch multiplies what the Market Data API says of one symbol, never what trades:
- ``latest``: the latest trade's price (``/v2/stocks/trades/latest`` and snapshots);
- ``quote``: the latest quote's bid and ask (``/v2/stocks/quotes/latest`` and snapshots);
- ``bars_spike`` with ``every``: the close of every Nth daily bar (its weekday number,
  counting Mondays to Fridays, divisible by N), and only the close, so the spiked close lies outside its own
  bar's high/low as a real bad print does.
Orders still fill at the true price, and positions are still valued at it: the point is
to see what ``trader`` does with a price the market never traded at.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from trader.sim.history import BarData

ONE = Decimal(1)
MAX_FACTOR = Decimal(1000)


@dataclass(frozen=True, slots=True)
class Glitch:
    latest: Decimal = ONE
    quote: Decimal = ONE
    bars_spike: Decimal = ONE
    every: int = 7

    def __post_init__(self) -> None:
        for name in ("latest", "quote", "bars_spike"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise ValueError(f"glitch {name} factor {value}: expected a positive number")
            if value > MAX_FACTOR or value < ONE / MAX_FACTOR:
                raise ValueError(f"glitch {name} factor {value}: expected 0.001 to 1000")
        if not isinstance(self.every, int) or not 1 <= self.every <= 1000:
            raise ValueError(f"glitch every {self.every}: expected 1 to 1000 bars")

    def to_json(self) -> dict[str, str | int]:
        return {
            "latest": str(self.latest),
            "quote": str(self.quote),
            "bars_spike": str(self.bars_spike),
            "every": self.every,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Glitch:
        return cls(
            Decimal(str(raw.get("latest", "1"))),
            Decimal(str(raw.get("quote", "1"))),
            Decimal(str(raw.get("bars_spike", "1"))),
            int(raw.get("every", 7)),
        )


def priced(price: Decimal, factor: Decimal) -> Decimal:
    """``price`` times ``factor``, in whole cents from $1 (four decimals below), never 0."""
    if factor == ONE:
        return price
    value = price * factor
    step = Decimal("0.01") if value >= 1 else Decimal("0.0001")
    return max(value.quantize(step, rounding=ROUND_HALF_UP), Decimal("0.0001"))


def weekday_number(ordinal: int) -> int:
    """The day's number counting Mondays to Fridays only (``date.toordinal`` 1 is a Monday),
    so "1 in N" spreads over sessions whatever the weekday."""
    weeks, weekday = divmod(ordinal - 1, 7)
    return weeks * 5 + min(weekday, 4)


def spiked_bar(bar: BarData, glitch: Glitch | None) -> BarData:
    """The daily bar as a glitch serves it: every Nth session's close multiplied."""
    if glitch is None or glitch.bars_spike == ONE:
        return bar
    if weekday_number(bar.t.toordinal()) % glitch.every != 0:
        return bar
    return replace(bar, c=float(priced(Decimal(str(bar.c)), glitch.bars_spike)))
