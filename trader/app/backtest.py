"""The ``backtest`` use case's data: daily closes from the broker's data API, through the
store's cache (see ``trader.price_history.cached_bars``); the replay itself is pure
(``trader.backtest``) and its strategies run side by side in worker processes
(``trader.app.backtest_pool``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from trader.errors import ConfigError

if TYPE_CHECKING:
    from trader.app.wiring import Wiring
    from trader.backtest import PriceHistory

SIM_SOURCE = (
    "the local paper broker's deterministic simulated history (random walks, not real "
    "market prices)"
)
ALPACA_SOURCE = "Alpaca daily bars (adjusted for splits and dividends)"


def broker_history(
    context: Wiring, symbols: list[str], start: date, end: date | None, live: bool
) -> tuple[PriceHistory, str, date | None]:
    from trader.broker.connect import open_broker
    from trader.core.schedule import market_date
    from trader.price_history import cached_history

    settings = context.settings
    if settings.account == "manual":
        raise ConfigError("account 'manual' has no data API: give the closes with --prices FILE")
    source = SIM_SOURCE if settings.account == "sim" else ALPACA_SOURCE
    store = context.open_store()
    try:
        with open_broker(settings, context.home, live_flag=live) as opened:
            # The broker's today: new closes are stamped with it, and cached ones split or
            # paid a dividend since they were read are dropped (one request to check).
            today = market_date(opened.broker.clock().timestamp)
            if end is None:  # the last complete session before the broker's today
                end = today - timedelta(days=1)
            if end < start:
                raise ConfigError(f"--end {end} is before --start {start}")
            history, fetch = cached_history(store, opened.broker, symbols, start, end, today)
    finally:
        store.close()
    how = (
        f"{fetch.downloaded} closes downloaded in {fetch.requests} request(s), "
        f"{fetch.cached} from the store's cache"
    )
    return history, f"{source}; {how}", end
