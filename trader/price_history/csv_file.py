"""Closes from a CSV file, in one of two shapes:

- wide: ``date,SPY,TLT,...`` then one row per day, one close per symbol (an empty cell
  is a missing close);
- long: ``date,symbol,close`` then one row per symbol and day.

Dates are ISO (``2016-01-04``). Errors name the file and the line; nothing is guessed.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from trader.backtest import PriceHistory
from trader.errors import ConfigError

LONG_HEADER = ["date", "symbol", "close"]


def read_price_csv(path: Path) -> PriceHistory:
    """The closes of a wide or long CSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"--prices: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: prices file is not UTF-8 text") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not rows[0]:
        raise ConfigError(f"{path}: empty file, expected a header such as date,SPY,TLT")
    header = [cell.strip() for cell in rows[0]]
    if header[0].lower() != "date" or len(header) < 2:
        raise ConfigError(f"{path}:1: the header must start with 'date', got {rows[0]!r}")
    series: dict[str, dict[date, Decimal]] = {}
    if [h.lower() for h in header] == LONG_HEADER:
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != 3:
                raise ConfigError(f"{path}:{line}: expected date,symbol,close, got {row!r}")
            day = _day(path, line, row[0])
            symbol = row[1].strip().upper()
            closes = series.setdefault(symbol, {})
            if day in closes:
                raise ConfigError(f"{path}:{line}: a second close for {symbol} on {day}")
            closes[day] = _close(path, line, row[2], symbol)
    else:
        symbols = [h.upper() for h in header[1:]]
        if len(set(symbols)) != len(symbols) or "" in symbols:
            raise ConfigError(f"{path}:1: symbols must be named once each: {header[1:]!r}")
        series = {symbol: {} for symbol in symbols}
        seen: set[date] = set()
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ConfigError(f"{path}:{line}: {len(row)} cells, the header has {len(header)}")
            day = _day(path, line, row[0])
            if day in seen:
                raise ConfigError(f"{path}:{line}: {day} appears twice")
            seen.add(day)
            for symbol, cell in zip(symbols, row[1:], strict=True):
                if cell.strip():
                    series[symbol][day] = _close(path, line, cell, symbol)
    if not any(series.values()):
        raise ConfigError(f"{path}: no closes")
    return PriceHistory.from_series(series)


def _day(path: Path, line: int, cell: str) -> date:
    try:
        return date.fromisoformat(cell.strip())
    except ValueError:
        raise ConfigError(f"{path}:{line}: {cell!r} is not a date (YYYY-MM-DD)") from None


def _close(path: Path, line: int, cell: str, symbol: str) -> Decimal:
    try:
        value = Decimal(cell.strip())
    except InvalidOperation:
        raise ConfigError(f"{path}:{line}: {symbol} close {cell!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ConfigError(f"{path}:{line}: {symbol} close {cell!r} must be a positive number")
    return value
