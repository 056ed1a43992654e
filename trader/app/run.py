"""The ``run`` use case's look at the day: sync (optionally) and decide whether today's
scheduled check is due; whether the account mode is paused; the withdrawal set aside.

``trader run``, ``trader status`` and ``trader bot``'s /status read the day through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trader.app.wiring import Wiring
    from trader.core.domain import AccountMode
    from trader.core.schedule import CheckDecision
    from trader.core.withdrawal import Withdrawal
    from trader.store.bot import Pause


@dataclass(frozen=True, slots=True)
class Today:
    day: date
    trading: set[date]
    last_check: date | None
    decision: CheckDecision


def paused(context: Wiring, mode: AccountMode) -> Pause | None:
    store = context.open_store()
    try:
        return store.paused(mode)
    finally:
        store.close()


def withdrawal_set_aside(context: Wiring, mode: AccountMode) -> Withdrawal | None:
    """The withdrawal the account's plans keep in cash, as the last plan left it."""
    store = context.open_store()
    try:
        account_key = store.latest_account(mode)
        return store.withdrawal_set_aside(account_key) if account_key is not None else None
    finally:
        store.close()


def look(context: Wiring, *, live: bool, sync: bool) -> Today:
    """Sync (optionally) and decide whether today's check is due."""
    from trader.app.sync import sync_account
    from trader.broker.connect import open_broker
    from trader.core.domain import AccountMode
    from trader.core.schedule import CheckDecision, check_due, market_date
    from trader.planning.schedule_inputs import (
        broker_trading_days,
        schedule_entries,
        weekday_trading_days,
    )

    settings = context.settings
    mode = AccountMode(settings.account)
    entries = schedule_entries(settings)
    store = context.open_store()
    try:
        if mode is AccountMode.MANUAL:
            day = market_date(datetime.now(UTC))
            trading = weekday_trading_days(day)
        else:
            with open_broker(settings, context.home, live_flag=live) as opened:
                if sync:
                    sync_account(opened.broker, store, mode)
                day = market_date(opened.broker.clock().timestamp)
                trading = broker_trading_days(opened.broker, day)
        last = store.last_check(mode)
    finally:
        store.close()
    if settings.rebalancing.method == "threshold":
        decision = (
            CheckDecision(True, "the threshold method checks the bands on every run", day)
            if day in trading
            else CheckDecision(False, f"{day} is not a trading day")
        )
    else:
        decision = check_due(entries, day, trading, last)
    return Today(day, trading, last, decision)
