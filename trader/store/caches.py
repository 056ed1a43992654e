"""What the store keeps so the broker is asked less: each holding's price peak, the
day's scores, asset attributes for the trading day, and daily closes with the span of
days already asked for (and the day they were read).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlmodel import Session, col, select

from trader.core.domain import Asset
from trader.store import convert
from trader.store.corporate import drop_closes
from trader.store.tables import (
    AssetCacheRow,
    DailyCloseRow,
    DailyCloseSpanRow,
    PricePeakRow,
    ScoreRow,
)
from trader.store.upsert import upsert

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


class CacheRecords:
    """Peaks, scores, assets and daily closes."""

    url: str

    def _session(self, action: str, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def peaks(self, account_key: int) -> dict[str, tuple[date, date, Decimal]]:
        """Cached peaks: symbol -> (since, through, peak)."""
        with self._session("read price peaks") as session:
            rows = session.exec(select(PricePeakRow).where(PricePeakRow.account_id == account_key))
            return {row.symbol: (row.since, row.through, row.peak) for row in rows}

    def save_peaks(self, account_key: int, peaks: Mapping[str, tuple[date, date, Decimal]]) -> None:
        """Replace the account's cached peaks with ``peaks`` (symbols not held are dropped)."""
        with self._session("record price peaks", write=True) as session:
            # One statement, not row by row: a concurrent plan may delete the same rows.
            session.execute(
                delete(PricePeakRow).where(
                    col(PricePeakRow.account_id) == account_key,
                    col(PricePeakRow.symbol).not_in(list(peaks)),
                )
            )
            upsert(
                session,
                PricePeakRow,
                [
                    {"account_id": account_key, "symbol": s, "since": a, "through": b, "peak": p}
                    for s, (a, b, p) in sorted(peaks.items())
                ],
                ("account_id", "symbol"),
            )

    def scores(self, as_of: date) -> dict[str, Decimal]:
        """The built-in scores cached for a market date."""
        with self._session("read scores") as session:
            rows = session.exec(select(ScoreRow).where(ScoreRow.as_of == as_of))
            return {row.symbol: row.score for row in rows}

    def save_scores(self, as_of: date, scores: Mapping[str, Decimal]) -> None:
        with self._session("record scores", write=True) as session:
            session.execute(
                delete(ScoreRow).where(
                    col(ScoreRow.as_of) == as_of, col(ScoreRow.symbol).not_in(list(scores))
                )
            )
            upsert(
                session,
                ScoreRow,
                [{"symbol": s, "as_of": as_of, "score": v} for s, v in sorted(scores.items())],
                ("symbol", "as_of"),
            )

    def close_spans(self, symbols: list[str]) -> dict[str, tuple[date, date]]:
        """The days already asked of the data API per symbol: symbol -> (first, last)."""
        with self._session("read cached close spans") as session:
            rows = session.exec(
                select(DailyCloseSpanRow).where(col(DailyCloseSpanRow.symbol).in_(symbols))
            )
            return {row.symbol: (row.first_day, row.last_day) for row in rows}

    def cached_assets(self, symbols: list[str], day: date) -> dict[str, Asset | None]:
        """What the broker said on ``day`` of those of ``symbols`` asked that day: the
        asset, or None for a symbol it did not know. Symbols not asked that day are absent."""
        with self._session("read cached assets") as session:
            rows = session.exec(
                select(AssetCacheRow).where(
                    col(AssetCacheRow.symbol).in_(symbols), AssetCacheRow.read_on == day
                )
            )
            return {row.symbol: convert.cached_asset(row) for row in rows}

    def cache_assets(self, found: Mapping[str, Asset | None], day: date) -> None:
        """Remember what the broker said of each symbol on ``day`` (None: not known)."""
        if not found:
            return
        with self._session("cache assets", write=True) as session:
            upsert(
                session,
                AssetCacheRow,
                [convert.asset_cache_values(s, asset, day) for s, asset in sorted(found.items())],
                ("symbol",),
            )

    def daily_closes(
        self, symbols: list[str], start: date, end: date
    ) -> dict[str, dict[date, Decimal]]:
        """Cached daily closes of ``symbols`` between ``start`` and ``end`` (inclusive)."""
        found: dict[str, dict[date, Decimal]] = {symbol: {} for symbol in symbols}
        with self._session("read cached daily closes") as session:
            rows = session.exec(
                select(DailyCloseRow).where(
                    col(DailyCloseRow.symbol).in_(symbols),
                    DailyCloseRow.day >= start,
                    DailyCloseRow.day <= end,
                )
            )
            for row in rows:
                found[row.symbol][row.day] = row.close
        return found

    def close_read_days(self, symbols: list[str]) -> dict[str, date]:
        """The day each symbol's cached closes were first read (see ``DailyCloseSpanRow``)."""
        with self._session("read cached close spans") as session:
            rows = session.exec(
                select(DailyCloseSpanRow).where(col(DailyCloseSpanRow.symbol).in_(symbols))
            )
            return {row.symbol: row.read_on for row in rows}

    def drop_daily_closes(self, symbols: list[str]) -> None:
        """Forget the cached closes of ``symbols``: the next read downloads them again."""
        if not symbols:
            return
        with self._session("drop cached daily closes", write=True) as session:
            drop_closes(session, symbols)

    def save_daily_closes(
        self,
        symbol: str,
        first: date,
        last: date,
        closes: Mapping[date, Decimal],
        read_on: date | None = None,
    ) -> None:
        """Cache what the data API gave for ``symbol`` over ``first..last`` and widen its span.

        The new span must touch or overlap the cached one, so the span never claims days
        that were not asked for; a close already cached for a day is replaced. ``read_on``
        is the broker's market date of the read (default: ``last``); a span keeps the day
        it was first read.
        """
        with self._session("record daily closes", write=True) as session:
            span = session.exec(
                select(DailyCloseSpanRow).where(DailyCloseSpanRow.symbol == symbol)
            ).first()
            if span is None:
                span = DailyCloseSpanRow(
                    symbol=symbol, first_day=first, last_day=last, read_on=read_on or last
                )
            else:
                if first > span.last_day + timedelta(days=1) or last < span.first_day - timedelta(
                    days=1
                ):
                    raise ValueError(f"{symbol}: closes {first}..{last} leave a hole in the cache")
                span.first_day = min(span.first_day, first)
                span.last_day = max(span.last_day, last)
            session.add(span)
            existing = {
                row.day: row
                for row in session.exec(
                    select(DailyCloseRow).where(
                        DailyCloseRow.symbol == symbol,
                        DailyCloseRow.day >= first,
                        DailyCloseRow.day <= last,
                    )
                )
            }
            for day, close in sorted(closes.items()):
                row = existing.get(day)
                if row is None:
                    session.add(DailyCloseRow(symbol=symbol, day=day, close=close))
                elif row.close != close:
                    row.close = close
                    session.add(row)
