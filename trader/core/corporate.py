"""Corporate actions as the lots need them: splits with their ratio, and notes for the rest.

Alpaca reports a stock split as ``SPLIT`` account activities, not as fills: a pair
sharing a ``group_id`` (or, without one, a symbol and a date), the old shares removed
(``qty`` negative) and the new shares added (``qty`` positive). Two-for-one on 10
shares is -10 then +20; one-for-four is -10 then +2.5. The ratio is read from the
pair; a broker that sends the rates (``old_rate``/``new_rate``) or only a description
("From QTY:10, To QTY:20") is read from those.

A split changes no one's wealth: every open lot keeps its basis and acquisition date,
its shares multiply by ``new/old`` and its cost per share by ``old/new``.

Other actions that move shares (spin-offs, mergers, name changes, reorganisations,
stock dividends, transfers of securities) are not modelled: each becomes a note that
names the symbol and says its lots need a look. Cash dividends change only the cash,
which the broker already reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from trader.core.domain import CorporateAction
from trader.core.money import ZERO

# The activity types ``trader sync`` reads besides fills.
ACTION_TYPES = ("SPLIT", "DIV", "SPIN", "MA", "NC", "REORG", "ACATS", "JNLS")
_NAMES = {
    "SPIN": "spin-off",
    "MA": "merger",
    "NC": "name change",
    "REORG": "reorganisation",
    "ACATS": "transfer of shares",
    "JNLS": "journal of shares",
    "SDIV": "stock dividend",
}
NOTE_DAYS = 30  # how long a plan repeats a note (``trader lots`` always shows it)
_FROM_TO = re.compile(r"From QTY:\s*([0-9.]+).*?To QTY:\s*([0-9.]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Split:
    """``old`` shares became ``new`` shares of ``symbol`` on ``day``."""

    symbol: str
    day: date
    old: Decimal
    new: Decimal

    def __post_init__(self) -> None:
        if self.old <= ZERO or self.new <= ZERO:
            raise ValueError(f"{self.symbol}: a split needs positive share counts")

    @property
    def ratio(self) -> Decimal:
        """New shares per old share: 2 for two-for-one, 0.25 for one-for-four."""
        return self.new / self.old

    @property
    def label(self) -> str:
        """ "2:1" for two-for-one, "1:4" for one-for-four (new:old, in lowest terms)."""
        ratio = self.ratio
        if ratio >= 1:
            return f"{_plain(ratio)}:1"
        return f"1:{_plain(1 / ratio)}"

    def shares(self, qty: Decimal) -> Decimal:
        return qty * self.new / self.old

    def per_share(self, amount: Decimal) -> Decimal:
        return amount * self.old / self.new


def _plain(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.0001")).normalize()
    return f"{rounded:f}"


@dataclass(frozen=True, slots=True)
class Note:
    """An action ``trader`` does not model: the lots of ``symbol`` need a look."""

    symbol: str
    day: date
    text: str


@dataclass(frozen=True, slots=True)
class CorporateHistory:
    """What the account's corporate actions mean for its lots, oldest first."""

    splits: tuple[Split, ...]
    notes: tuple[Note, ...]
    dividends: tuple[CorporateAction, ...]

    def splits_of(self, symbol: str) -> tuple[Split, ...]:
        return tuple(s for s in self.splits if s.symbol == symbol)

    def notes_of(self, symbol: str) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.symbol == symbol)

    def recent_notes(self, held: set[str], today: date) -> list[str]:
        """The notes a plan repeats: of symbols held, from the last ``NOTE_DAYS`` days."""
        return [
            n.text for n in self.notes if n.symbol in held and (today - n.day).days <= NOTE_DAYS
        ]


def read_actions(actions: Iterable[CorporateAction]) -> CorporateHistory:
    """Pair the split legs into splits; turn what is not modelled into notes."""
    legs: dict[tuple[str, ...], list[CorporateAction]] = {}
    notes: list[Note] = []
    dividends: list[CorporateAction] = []
    for action in sorted(actions, key=lambda a: (a.day, a.activity_id)):
        if action.kind == "SPLIT":
            key = (action.group_id,) if action.group_id else (action.symbol, action.day.isoformat())
            legs.setdefault(key, []).append(action)
        elif action.kind == "DIV" and action.sub_type.upper() != "SDIV":
            dividends.append(action)
        elif action.kind == "DIV" or action.kind in _NAMES:
            name = _NAMES.get(action.sub_type.upper(), _NAMES.get(action.kind, action.kind))
            notes.append(_look(action, f"a {name}"))
    splits: list[Split] = []
    for group in legs.values():
        split = _split_of(group)
        if split is None:
            notes.append(_look(group[0], "a split whose ratio could not be read"))
        else:
            splits.append(split)
    splits.sort(key=lambda s: (s.day, s.symbol))
    notes.sort(key=lambda n: (n.day, n.symbol))
    return CorporateHistory(tuple(splits), tuple(notes), tuple(dividends))


def _look(action: CorporateAction, what: str) -> Note:
    symbol = action.symbol or "(no symbol)"
    text = (
        f"{symbol}: {what} ({action.kind}) on {action.day}; trader does not model it, "
        f"so the lots of {symbol} need a look"
    )
    return Note(action.symbol, action.day, text)


def _split_of(group: list[CorporateAction]) -> Split | None:
    first = group[0]
    symbol, day = first.symbol, first.day
    rates = _rates(group)
    if rates is not None:
        return Split(symbol, day, *rates)
    removed = sum((-a.qty for a in group if a.qty is not None and a.qty < ZERO), ZERO)
    added = sum((a.qty for a in group if a.qty is not None and a.qty > ZERO), ZERO)
    if removed > ZERO and added > ZERO:
        return Split(symbol, day, removed, added)
    for action in group:
        found = _FROM_TO.search(action.description)
        if found is not None:
            try:
                old, new = Decimal(found.group(1)), Decimal(found.group(2))
            except InvalidOperation:
                continue
            if old > ZERO and new > ZERO:
                return Split(symbol, day, old, new)
    return None


def _rates(group: list[CorporateAction]) -> tuple[Decimal, Decimal] | None:
    for action in group:
        try:
            raw = json.loads(action.raw_json)
            old, new = Decimal(str(raw["old_rate"])), Decimal(str(raw["new_rate"]))
        except (ValueError, KeyError, TypeError, InvalidOperation):
            continue
        if old > ZERO and new > ZERO:
            return old, new
    return None
