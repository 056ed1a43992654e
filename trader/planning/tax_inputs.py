"""The account's history as the engine needs it: lots, wash-sale windows, price peaks.

Lots and windows are rebuilt from the FILL activities in the store (every sync adds
the new ones), with each fill's date taken in the market's own time zone, and the
splits among the stored corporate actions replayed in their place. Peaks are
the highest daily close of each holding since its oldest open lot, read from the
data API's daily bars with their bad prints dropped (``trader.core.bad_prints``);
today's price counts too. The day's first plan (or sync) reads every holding's bars
since its oldest lot again (one request for all), so a peak stored before is judged
again: a stored peak higher than the cleaned closes stays only while it lies within a
cleaned bar's range (a price seen between closes); one above every cleaned bar is
rebuilt, and the plan says so. Later plans that day add only their own price to the
peak judged that morning, and read no bars (alpaca-py's bar models load pandas).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from trader.broker.protocol import Broker
from trader.core.corporate import CorporateHistory, read_actions
from trader.core.domain import AccountSnapshot, Fill
from trader.core.lots import LotBook, Trade, build_lots
from trader.core.money import ZERO, dollars
from trader.core.schedule import market_date
from trader.core.wash import WashWindows
from trader.planning.bars import clean_bars
from trader.store import Store

# How far back to look for a peak when a lot's date is unknown.
UNKNOWN_LOT_LOOKBACK = timedelta(days=365)
# Bars read before the peak's first day, so its first close has a close before it to be
# judged against (see ``trader.core.bad_prints``).
JUDGING_MARGIN = timedelta(days=10)


def trade_of(fill: Fill) -> Trade:
    day = market_date(fill.transaction_time)
    return Trade(fill.symbol, fill.side, fill.qty, fill.price, day)


@dataclass(frozen=True, slots=True)
class AccountHistory:
    book: LotBook
    wash: WashWindows
    corporate: CorporateHistory = CorporateHistory((), (), ())


def account_history(store: Store, account_key: int, snapshot: AccountSnapshot) -> AccountHistory:
    """Lots (reconciled with the positions) and wash-sale windows from the stored fills
    and splits."""
    trades = [trade_of(fill) for fill in store.fills(account_key)]
    corporate = read_actions(store.corporate_actions(account_key))
    positions = {p.symbol: (p.qty, p.avg_entry_price) for p in snapshot.positions if p.qty > ZERO}
    book = build_lots(trades, positions, corporate.splits)
    return AccountHistory(book, WashWindows.from_history(trades, book.closed), corporate)


def peak_since(book: LotBook, symbol: str, today: date) -> date:
    dates = [lot.acquired for lot in book.of(symbol)]
    known = [d for d in dates if d is not None]
    if len(known) < len(dates) or not known:
        return today - UNKNOWN_LOT_LOOKBACK
    return min(known)


@dataclass(frozen=True, slots=True)
class PeakReading:
    """Each held symbol's peak, and what the reading said: bad prints dropped, stored
    peaks the cleaned closes no longer support."""

    peaks: dict[str, Decimal]
    notes: list[str]


def update_peaks(
    broker: Broker,
    store: Store,
    account_key: int,
    book: LotBook,
    prices: Mapping[str, Decimal],
    today: date,
) -> PeakReading:
    """Each held symbol's peak since its oldest lot, from its cleaned daily closes and
    today's price; a stored peak is kept only while the cleaned bars support it."""
    cached = store.peaks(account_key)
    sinces = {s: peak_since(book, s, today) for s in prices if book.of(s)}
    peaks: dict[str, Decimal] = {}
    saved: dict[str, tuple[date, date, Decimal]] = {}
    to_read = {}
    for symbol, since in sinces.items():
        old = cached.get(symbol)
        if old is not None and old[0] == since and old[1] >= today:  # judged today already
            peaks[symbol] = max(old[2], prices[symbol])
            saved[symbol] = (since, today, peaks[symbol])
        else:
            to_read[symbol] = since
    start = min(to_read.values(), default=today) - JUDGING_MARGIN
    bars = broker.daily_bars(sorted(to_read), start, today) if to_read else {}
    cleaned, dropped = clean_bars(bars, prices)
    notes = [bad.text for bad in dropped]
    for symbol, since in to_read.items():
        kept = [bar for bar in cleaned.get(symbol, []) if market_date(bar.timestamp) >= since]
        peak = max([prices[symbol], *(bar.close for bar in kept)])
        old = cached.get(symbol)
        if old is not None and old[0] == since and old[2] > peak:
            highest = max([prices[symbol], *(bar.high for bar in kept)])
            if old[2] <= highest:
                peak = old[2]  # a price seen between closes, within a day's range
            else:
                notes.append(
                    f"{symbol}: the stored peak {dollars(old[2])} is above every cleaned bar "
                    f"since {since} (highest {dollars(highest)}): rebuilt as {dollars(peak)}"
                )
        peaks[symbol] = peak
        saved[symbol] = (since, today, peak)
    store.save_peaks(account_key, saved)
    return PeakReading(peaks, notes)
