"""The wash-sale windows: when a loss would be disallowed, so the plan must not act.

US rule: a loss is disallowed when substantially identical securities are bought
within 30 days before or after the sale. The plan keeps three windows, each from the
account's own trades:

- a symbol **bought** in the last 30 days is not harvested (the new shares would wash
  the loss);
- a symbol **sold at a loss** in the last 30 days is not bought (that includes a
  harvest's own symbol: it stays out for 31 days), neither by a rebalance nor as the
  replacement of another harvest;
- the replacement a harvest buys is chosen from the category's other symbols (the
  user's declared equivalents) and ``tax_equivalents``.

Which symbols are "substantially identical" is the user's call: the plan treats a
symbol as identical only to itself, and its category peers as the replacements the
user declared acceptable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from trader.core.domain import Side
from trader.core.lots import ClosedLot, Trade
from trader.core.money import ZERO

WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class WashWindows:
    """The last buy and the last sale at a loss of each symbol."""

    last_buy: Mapping[str, date] = field(default_factory=dict)
    last_loss_sale: Mapping[str, date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_buy", MappingProxyType(dict(self.last_buy)))
        object.__setattr__(self, "last_loss_sale", MappingProxyType(dict(self.last_loss_sale)))

    @classmethod
    def from_history(cls, trades: Iterable[Trade], closed: Iterable[ClosedLot]) -> WashWindows:
        buys: dict[str, date] = {}
        for trade in trades:
            if trade.side is Side.BUY:
                buys[trade.symbol] = max(trade.day, buys.get(trade.symbol, trade.day))
        losses: dict[str, date] = {}
        for piece in closed:
            if piece.gain < ZERO and piece.sold != date.min:
                losses[piece.symbol] = max(piece.sold, losses.get(piece.symbol, piece.sold))
        return cls(buys, losses)

    def bought_recently(self, symbol: str, today: date) -> date | None:
        """The buy that blocks harvesting ``symbol`` today, if any."""
        day = self.last_buy.get(symbol)
        return day if day is not None and today - day <= timedelta(days=WINDOW_DAYS) else None

    def sold_at_loss_recently(self, symbol: str, today: date) -> date | None:
        """The loss sale that blocks buying ``symbol`` today, if any."""
        day = self.last_loss_sale.get(symbol)
        return day if day is not None and today - day <= timedelta(days=WINDOW_DAYS) else None

    def open_windows(self, today: date) -> list[tuple[str, str, date, date]]:
        """Every window still open: (symbol, kind, since, until inclusive)."""
        windows = []
        for symbol, day in sorted(self.last_buy.items()):
            if self.bought_recently(symbol, today):
                windows.append((symbol, "bought: no harvest", day, day + timedelta(WINDOW_DAYS)))
        for symbol, day in sorted(self.last_loss_sale.items()):
            if self.sold_at_loss_recently(symbol, today):
                windows.append(
                    (symbol, "sold at a loss: no buy", day, day + timedelta(WINDOW_DAYS))
                )
        return windows
