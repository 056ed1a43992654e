"""The evidence for each price, gathered from the broker and the store, and the verdict.

``reference_prices`` is what a plan, the executor (and any code that sizes an order) asks
before trading a symbol on a price: one snapshot request gives the latest trade, the
latest quote and the previous close; the caller adds the last price ``trader`` stored
and the corporate actions that explain a move. The decision is ``trader.core.price_check``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from trader.broker.protocol import Broker
from trader.core.domain import AccountSnapshot, CorporateAction
from trader.core.price_check import MarketSnapshot, PriceCheck, PriceEvidence, check_price
from trader.errors import BrokerError
from trader.settings import Settings

# Corporate actions that change a share's price: a move they explain is no bad print.
PRICE_ACTIONS = ("SPLIT", "DIV", "SPIN", "MA", "REORG")
EXPLAIN_DAYS = 7  # how far back an action explains a move from a stored price


def explained_moves(
    actions: Iterable[CorporateAction], today: date, since: date | None = None
) -> dict[str, str]:
    """Symbol -> the latest corporate action that explains its price moving, dated from
    ``since`` (or the last ``EXPLAIN_DAYS`` days) to ``today``."""
    start = min(since or today, today - timedelta(days=EXPLAIN_DAYS))
    found: dict[str, str] = {}
    for action in sorted(actions, key=lambda a: a.day):
        if action.kind in PRICE_ACTIONS and start <= action.day <= today:
            found[action.symbol] = f"a {action.kind.lower()} on {action.day.isoformat()}"
    return found


def reference_prices(
    broker: Broker,
    settings: Settings,
    symbols: Sequence[str],
    prices: Mapping[str, Decimal] | None = None,
    *,
    stored: Mapping[str, Decimal] | None = None,
    explained: Mapping[str, str] | None = None,
    today: date | None = None,
    snapshots: Mapping[str, MarketSnapshot] | None = None,
) -> dict[str, PriceCheck]:
    """Each symbol's verdict (``snapshots``: the symbols' snapshots, when the caller read
    them already). ``prices`` are the prices to be trusted (the plan's); a
    symbol without one is judged on its latest trade. A symbol the feed does not answer
    for has no price (untrusted).

    A symbol that fails with no explanation given is judged once more with the market's
    own corporate actions of the last ``EXPLAIN_DAYS`` days (one more request, only
    then): a split of a symbol the account does not hold is in no activity of its own."""
    if not symbols:
        return {}
    if snapshots is None:
        snapshots = broker.snapshots(list(dict.fromkeys(symbols)))
    explained = dict(explained or {})
    checks = _judge(settings, symbols, snapshots, prices, stored, explained)
    failed = [s for s, c in checks.items() if not c.trusted and s not in explained]
    if failed and today is not None:
        start = today - timedelta(days=EXPLAIN_DAYS)
        try:
            adjustments = broker.bar_adjustments(failed, start, today)
        except BrokerError:  # no explanation to be had: the symbols stay untrusted
            adjustments = {}
        for symbol, days in adjustments.items():
            if symbol in failed and days:
                explained[symbol] = f"a split or dividend on {max(days).isoformat()}"
        again = [s for s in failed if s in explained]
        checks.update(_judge(settings, again, snapshots, prices, stored, explained))
    return checks


def _judge(
    settings: Settings,
    symbols: Sequence[str],
    snapshots: Mapping[str, MarketSnapshot],
    prices: Mapping[str, Decimal] | None,
    stored: Mapping[str, Decimal] | None,
    explained: Mapping[str, str],
) -> dict[str, PriceCheck]:
    limits = settings.market_data
    checks: dict[str, PriceCheck] = {}
    for symbol in symbols:
        snap = snapshots.get(symbol)
        price = (prices or {}).get(symbol, snap.trade if snap else None)
        evidence = PriceEvidence(
            symbol,
            price,
            trade=snap.trade if snap else None,
            bid=snap.bid if snap else None,
            ask=snap.ask if snap else None,
            previous_close=snap.previous_close if snap else None,
            stored=(stored or {}).get(symbol),
            explained=explained.get(symbol),
        )
        checks[symbol] = check_price(
            evidence, limits.max_source_disagreement_pct, limits.max_move_pct
        )
    return checks


def reference_price(
    broker: Broker,
    settings: Settings,
    symbol: str,
    price: Decimal | None = None,
    *,
    stored: Decimal | None = None,
    explained: str | None = None,
    today: date | None = None,
) -> PriceCheck:
    """One symbol's verdict: its trusted reference price, or why there is none."""
    return reference_prices(
        broker,
        settings,
        [symbol],
        {symbol: price} if price is not None else None,
        stored={symbol: stored} if stored is not None else None,
        explained={symbol: explained} if explained is not None else None,
        today=today,
    )[symbol]


def untrusted_prices(
    broker: Broker,
    settings: Settings,
    snapshot: AccountSnapshot,
    prices: Mapping[str, Decimal],
    previous: AccountSnapshot | None,
    explained: Mapping[str, str],
    today: date,
) -> tuple[dict[str, str], dict[str, Decimal]]:
    """The symbols a plan may not trade on this run, and why (with the figures): of the
    categorised symbols priced by their latest trade (``prices``) and the managed
    holdings priced by the broker's position, each checked against the feed's latest
    trade, quote and previous close and against the price of the previous stored sync.
    With them, each symbol's quote midpoint from the same snapshot (a trailing stop's
    second source)."""
    unmanaged = set(settings.unmanaged)
    held = {
        p.symbol: p.current_price
        for p in snapshot.positions
        if p.qty > 0 and p.current_price > 0 and p.symbol not in unmanaged
    }
    candidates = {**prices, **held}
    stored = (
        {p.symbol: p.current_price for p in previous.positions if p.qty > 0 and p.current_price > 0}
        if previous is not None
        and previous.taken_at < snapshot.taken_at
        and previous.account.account_id == snapshot.account.account_id
        else {}
    )
    snapshots = broker.snapshots(list(candidates)) if candidates else {}
    checks = reference_prices(
        broker,
        settings,
        list(candidates),
        candidates,
        stored=stored,
        explained=explained,
        today=today,
        snapshots=snapshots,
    )
    untrusted = {
        symbol: check.reason or "no price" for symbol, check in checks.items() if not check.trusted
    }
    midpoints = {s: snap.midpoint for s, snap in snapshots.items() if snap.midpoint is not None}
    return untrusted, midpoints
