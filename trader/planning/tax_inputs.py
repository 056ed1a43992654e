"""The account's history as the engine needs it: lots, wash-sale windows, price peaks.

Lots and windows are rebuilt from the FILL activities in the store (every sync adds
the new ones), with each fill's date taken in the market's own time zone, and the
splits among the stored corporate actions replayed in their place. Peaks are
the highest daily close of each holding since its oldest open lot, read from the
data API's daily bars and cached in the store, so each plan reads only the days since
the last one; today's price counts too.
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
from trader.core.money import ZERO
from trader.core.schedule import market_date
from trader.core.wash import WashWindows
from trader.store import Store

# How far back to look for a peak when a lot's date is unknown.
UNKNOWN_LOT_LOOKBACK = timedelta(days=365)


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


def update_peaks(
    broker: Broker,
    store: Store,
    account_key: int,
    book: LotBook,
    prices: Mapping[str, Decimal],
    today: date,
) -> dict[str, Decimal]:
    """Each held symbol's peak since its oldest lot, from the cache plus the newer bars."""
    cached = store.peaks(account_key)
    plans: dict[str, tuple[date, date, Decimal]] = {}  # symbol -> (since, read from, peak so far)
    for symbol in prices:
        if not book.of(symbol):
            continue
        since = peak_since(book, symbol, today)
        old = cached.get(symbol)
        if old is not None and old[0] == since:
            plans[symbol] = (since, old[1] + timedelta(days=1), old[2])
        else:
            plans[symbol] = (since, since, ZERO)
    to_read = [s for s, (_, start, _) in plans.items() if start <= today]
    bars = broker.daily_bars(to_read, min(plans[s][1] for s in to_read), today) if to_read else {}
    peaks: dict[str, Decimal] = {}
    saved: dict[str, tuple[date, date, Decimal]] = {}
    for symbol, (since, start, peak) in plans.items():
        closes = [bar.close for bar in bars.get(symbol, []) if market_date(bar.timestamp) >= start]
        peak = max([peak, prices[symbol], *closes])
        peaks[symbol] = peak
        saved[symbol] = (since, today, peak)
    store.save_peaks(account_key, saved)
    return peaks
