"""Scores for the buy choice: the built-in one from daily bars, or the user's own file.

With ``scores_file`` in the config (CSV with a header ``symbol,score,as_of``, or JSON: a
list of ``{"symbol", "score", "as_of"}``), those scores are used; a score older than
``scores_max_age_days`` is ignored with a warning, and a malformed file is a config
error naming the file and the line. Without it, the built-in score
(``trader.core.scores``) is computed from a year of daily bars for every symbol of the
config's categories and cached in the store for the market date, so later plans that
day read no bars.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from trader.broker.protocol import Broker
from trader.core.scores import HIGH_DAYS, cheapness_score
from trader.errors import ConfigError
from trader.planning.bars import clean_bars
from trader.settings import Settings
from trader.store import Store

# A year of sessions is about 365 calendar days; a little more covers holidays.
BAR_LOOKBACK = timedelta(days=HIGH_DAYS * 7 // 5 + 10)


@dataclass(frozen=True, slots=True)
class Scores:
    values: dict[str, Decimal]
    source: str  # "built-in" | the file's path
    as_of: dict[str, date]
    warnings: list[str]


def _row(path: Path, line: int, symbol: object, score: object, as_of: object) -> tuple:
    where = f"{path}:{line}"
    if not isinstance(symbol, str) or not symbol.strip():
        raise ConfigError(f"{where}: scores_file: a row needs a symbol")
    try:
        value = Decimal(str(score).strip())
        day = date.fromisoformat(str(as_of).strip())
    except (InvalidOperation, ValueError):
        raise ConfigError(
            f"{where}: scores_file: {symbol}: score {score!r} and as_of {as_of!r} must be a "
            f"number and a date (YYYY-MM-DD)"
        ) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ConfigError(f"{where}: scores_file: {symbol}: score {value} is not between 0 and 100")
    return symbol.strip().upper(), value, day


def read_scores_file(path: Path) -> list[tuple[str, Decimal, date]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: scores_file: cannot read it: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise ConfigError(
                f"{path}:{getattr(exc, 'lineno', 1)}: scores_file: not JSON"
            ) from None
        if not isinstance(rows, list):
            raise ConfigError(f"{path}:1: scores_file: expected a list of objects")
        out = []
        for index, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise ConfigError(f"{path}: scores_file: item {index} is not an object")
            out.append(_row(path, index, row.get("symbol"), row.get("score"), row.get("as_of")))
        return out
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not {"symbol", "score", "as_of"} <= set(reader.fieldnames):
        raise ConfigError(f"{path}:1: scores_file: the header must name symbol, score, as_of")
    return [
        _row(path, line, row.get("symbol"), row.get("score"), row.get("as_of"))
        for line, row in enumerate(reader, 2)
    ]


def file_scores(settings: Settings, today: date) -> Scores:
    path = Path(settings.scores_file or "")
    values: dict[str, Decimal] = {}
    dates: dict[str, date] = {}
    warnings = []
    limit = settings.scores_max_age_days
    for symbol, value, day in read_scores_file(path):
        if (today - day).days > limit:
            warnings.append(
                f"scores_file: {symbol}'s score of {day} is older than scores_max_age_days "
                f"({limit}): ignored"
            )
            continue
        values[symbol], dates[symbol] = value, day
    return Scores(values, str(path), dates, warnings)


def builtin_scores(broker: Broker, store: Store, symbols: list[str], today: date) -> Scores:
    cached = store.scores(today)
    missing = [s for s in symbols if s not in cached]
    dropped_notes: list[str] = []
    if missing:
        bars, dropped = clean_bars(broker.daily_bars(missing, today - BAR_LOOKBACK, today))
        dropped_notes = [bad.text for bad in dropped]
        fresh = {}
        for symbol in missing:
            closes = [bar.close for bar in bars.get(symbol, [])]
            score = cheapness_score(closes)
            if score is not None:
                fresh[symbol] = score
        store.save_scores(today, {**cached, **fresh})
        cached = {**cached, **fresh}
    values = {s: cached[s] for s in symbols if s in cached}
    warnings = [
        *dropped_notes,
        *(
            f"no built-in score for {s}: fewer than 50 daily closes"
            for s in symbols
            if s not in values
        ),
    ]
    return Scores(values, "built-in", dict.fromkeys(values, today), warnings)


def scores_for(
    settings: Settings, broker: Broker | None, store: Store, symbols: list[str], today: date
) -> Scores:
    """The scores the plan uses: the file's when configured, else the built-in ones."""
    if settings.scores_file:
        return file_scores(settings, today)
    if broker is None:
        return Scores({}, "none", {}, [])
    return builtin_scores(broker, store, symbols, today)
