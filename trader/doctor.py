"""``trader doctor``: what a new user needs to know before the first plan, checked once.

Each check passes or fails with what was found and, on failure, how to fix it. The
checks run in order and stop at the first one that makes the rest meaningless (no
keys, no answer from the broker). Doctor reads; it never sends an order. Its exit
code is that of the first failure (the same codes as every command), 0 when all pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from trader.broker.alpaca import AlpacaBroker
from trader.core.domain import AccountMode
from trader.errors import (
    AuthenticationError,
    BrokerError,
    BrokerUnreachable,
    ConfigError,
    MissingCredentials,
    TraderError,
)
from trader.planning.inputs import categorised_symbols
from trader.settings import Settings

# How far back ``doctor`` looks for bad prints in the daily closes.
BAR_CHECK_DAYS = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    exit_code: int = 0  # what a failure exits with


@dataclass
class Diagnosis:
    config: str
    mode: str
    trading_url: str = ""
    data_url: str = ""
    database_url: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def exit_code(self) -> int:
        return next((c.exit_code or 1 for c in self.checks if not c.ok), 0)

    def passed(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, True, detail))

    def failed(self, name: str, detail: str, fix: str, exit_code: int) -> None:
        self.checks.append(Check(name, False, detail, fix, exit_code))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "config": self.config,
            "mode": self.mode,
            "trading_url": self.trading_url,
            "data_url": self.data_url,
            "database_url": self.database_url,
            "checks": [
                {"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in self.checks
            ],
        }


def diagnose(settings: Settings, config: Path | None, home: Path) -> Diagnosis:
    mode = AccountMode(settings.account)
    found = Diagnosis(config=str(config) if config else "(defaults)", mode=mode.value)
    if mode is AccountMode.MANUAL:
        found.passed("broker", "account 'manual': no broker; plans use current_holdings")
    else:
        with _broker(settings, home, found) as broker:
            if broker is not None:
                _check_broker(settings, broker, found)
    _check_database(home, found)
    _check_alerts(settings, found)
    return found


@contextmanager
def _broker(settings: Settings, home: Path, found: Diagnosis) -> Iterator[AlpacaBroker | None]:
    """The broker to check, with its endpoints and keys checked first; None when they fail."""
    from trader.broker import connect

    mode = AccountMode(settings.account)
    if mode is AccountMode.SIM:
        with ExitStack() as stack:
            try:
                connection = stack.enter_context(connect.embedded_sim(settings, home))
            except ConfigError as exc:  # a home the sim cannot keep its account in
                found.failed("endpoints", str(exc), "fix TRADER_HOME", exc.exit_code)
                yield None
                return
            found.trading_url = found.data_url = connection.trading_url
            found.passed(
                "endpoints",
                f"embedded local paper broker at {connection.trading_url} (trading and data)",
            )
            found.passed("keys", "the local paper broker's own keys")
            yield AlpacaBroker(replace(connection, max_retries=0))
        return
    try:
        endpoints = connect.resolve_endpoints(mode)
    except ConfigError as exc:
        found.failed("endpoints", str(exc), f"fix {connect.TRADING_URL_ENV}", exc.exit_code)
        yield None
        return
    found.trading_url, found.data_url = endpoints.trading_url, endpoints.data_url
    found.passed(
        "endpoints",
        f"trading {endpoints.trading_url} ({endpoints.trading_source}); "
        f"data {endpoints.data_url} ({endpoints.data_source})",
    )
    try:
        connection = connect.remote_connection(settings, mode)
    except MissingCredentials as exc:
        found.failed(
            "keys",
            str(exc),
            f"export {connect.KEY_ENV} and {connect.SECRET_ENV} (from Alpaca's dashboard)",
            exc.exit_code,
        )
        yield None
        return
    found.passed("keys", f"{connect.KEY_ENV} and {connect.SECRET_ENV} are set (values not shown)")
    yield AlpacaBroker(replace(connection, max_retries=0), retry_wait=0)


def _check_broker(settings: Settings, broker: AlpacaBroker, found: Diagnosis) -> None:
    try:
        account = broker.account()
    except BrokerUnreachable as exc:
        found.failed(
            "reachable",
            str(exc),
            "check the network and the trading URL (APCA_API_BASE_URL)",
            exc.exit_code,
        )
        return
    except AuthenticationError as exc:
        found.failed(
            "keys accepted",
            str(exc),
            "the keys belong to another account kind (paper or live) or were regenerated",
            exc.exit_code,
        )
        return
    except TraderError as exc:
        found.failed("account", str(exc), "see the message", exc.exit_code)
        return
    found.passed("reachable", "the broker answered")
    found.passed("keys accepted", "the broker accepted the keys")
    kind = (
        f"margin account (multiplier {account.multiplier})" if account.is_margin else "cash account"
    )
    detail = (
        f"{account.masked_number}, {account.status}, {kind}, cash ${account.cash:,.2f}, "
        f"buying power ${account.buying_power:,.2f}"
    )
    if account.pattern_day_trader is not None:
        detail += f", pattern day trader: {'yes' if account.pattern_day_trader else 'no'}"
    if account.trading_blocked or account.account_blocked:
        found.failed(
            "account",
            detail + ", trading blocked",
            "Alpaca blocks trading on the account: see its dashboard",
            14,
        )
    elif account.status.upper() != "ACTIVE":
        found.failed("account", detail, "the account is not active yet", 4)
    else:
        found.passed("account", detail + ", trading allowed")
    _step(found, "clock", lambda: _clock(broker))
    _check_feeds(settings, broker, found)
    _check_assets(settings, broker, found)
    _step(found, "daily bars", lambda: _bad_prints(settings, broker))


def _step(found: Diagnosis, name: str, work: Callable[[], str]) -> None:
    try:
        found.passed(name, work())
    except TraderError as exc:
        found.failed(name, str(exc), "see the message", exc.exit_code)


def _clock(broker: AlpacaBroker) -> str:
    clock = broker.clock()
    state = "open" if clock.is_open else "closed"
    from trader.core.schedule import market_time

    return f"market {state}; next open {market_time(clock.next_open)}"


def _bad_prints(settings: Settings, broker: AlpacaBroker) -> str:
    """The bad prints in the recent daily closes of the config's symbols, which plans
    drop (``trader.core.bad_prints``); named, not a failure."""
    from trader.core.schedule import market_date
    from trader.planning.bars import clean_bars

    symbols = categorised_symbols(settings)
    today = market_date(broker.clock().timestamp)
    bars = broker.daily_bars(symbols, today - BAR_CHECK_DAYS, today) if symbols else {}
    _, dropped = clean_bars(bars)
    days = BAR_CHECK_DAYS.days
    if not dropped:
        return f"no bad print in the last {days} days of closes of {len(symbols)} symbol(s)"
    listed = "; ".join(bad.text for bad in dropped)
    return f"{len(dropped)} bad print(s) in the last {days} days, left out of plans: {listed}"


def _check_feeds(settings: Settings, broker: AlpacaBroker, found: Diagnosis) -> None:
    """Which feed answers: SIP history older than 15 minutes, and the latest prices."""
    symbol = next(iter(categorised_symbols(settings)), "SPY")
    answers = {
        "sip history": broker.feed_answers(symbol, "sip", history=True),
        **{f"{f} latest": broker.feed_answers(symbol, f) for f in ("sip", "iex", "delayed_sip")},
    }
    summary = "; ".join(f"{name}: {answer}" for name, answer in answers.items())
    configured = settings.broker.data_feed
    if configured == "auto":
        usable = answers["sip history"] == "ok" and (
            answers["sip latest"] == "ok" or answers["iex latest"] == "ok"
        )
    else:
        history = "sip history" if configured in ("sip", "delayed_sip") else None
        usable = answers[f"{configured} latest"] == "ok" and (
            history is None or answers[history] == "ok"
        )
    if usable:
        found.passed("data feed", f"{configured}: {summary}")
    else:
        found.failed(
            "data feed",
            f"{configured}: {summary}",
            "set broker.data_feed to a feed your market-data plan allows (iex is free)",
            4,
        )


def _check_assets(settings: Settings, broker: AlpacaBroker, found: Diagnosis) -> None:
    from trader.errors import NotFound

    symbols = categorised_symbols(settings)  # each once: the config allows no symbol twice
    problems: list[str] = []
    notes: list[str] = []
    for symbol in symbols:
        try:
            asset = broker.asset(symbol)
        except NotFound:
            problems.append(f"{symbol}: unknown at the broker")
            continue
        except BrokerError as exc:
            problems.append(f"{symbol}: {exc}")
            continue
        if not asset.tradable or asset.status != "active":
            problems.append(f"{symbol}: not tradable ({asset.status})")
        elif not asset.fractionable:
            notes.append(f"{symbol}: whole shares only")
    count = len(symbols)
    if problems:
        found.failed(
            "assets",
            "; ".join(problems),
            "replace or remove those symbols under categories in the config",
            4,
        )
    else:
        found.passed(
            "assets",
            f"all {count} configured symbols exist and are tradable"
            + (f" ({'; '.join(notes)})" if notes else ""),
        )


def _sqlite_damage(connection: Any) -> str | None:
    """What ``PRAGMA quick_check`` finds wrong (its first finding), or None when it says ok."""
    rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check").fetchall()]
    if rows == ["ok"]:
        return None
    more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
    return f"{rows[0][:120]}{more}"


def _check_database(home: Path, found: Diagnosis) -> None:
    from trader.store import default_database_url
    from trader.store.engine import create_engine_for, is_read_only
    from trader.store.migrate import current_revisions, head_revisions
    from trader.store.urls import DATABASE_URL_ENV, is_sqlite, mask_url

    # The fix names what was configured: the variable when it is set, else the home.
    where = DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV, "").strip() else "TRADER_HOME"
    try:
        url = default_database_url(home)
    except ConfigError as exc:
        found.failed("database", str(exc), f"fix {where}", exc.exit_code)
        return
    found.database_url = mask_url(url)
    try:
        engine = create_engine_for(url)
        try:
            with engine.connect() as connection:
                current = current_revisions(connection)
                damage = _sqlite_damage(connection) if is_sqlite(url) else None
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to open it is the finding
        found.failed(
            "database",
            f"{found.database_url}: {str(exc).splitlines()[0][:160]}",
            f"check {where}",
            9,
        )
        return
    if damage is not None:
        found.failed(
            "database",
            f"{found.database_url} is corrupt: SQLite's quick_check found {damage}",
            "restore it from a backup, or move it aside and let the next command start a new "
            "one (the broker holds the account; the plan history would be lost)",
            9,
        )
        return
    if is_read_only(url):
        found.failed(
            "database",
            f"{found.database_url} is read-only: its folder cannot be written, so only "
            "history and lots work",
            f"make {where} writable, or point it at a writable folder",
            9,
        )
        return
    head = head_revisions()
    if not current:
        state = "empty: the first command creates its tables"
    elif current == head:
        state = f"at migration {', '.join(sorted(current))} (current)"
    else:
        state = (
            f"at migration {', '.join(sorted(current))}; the next command upgrades it to "
            f"{', '.join(sorted(head))}"
        )
    found.passed("database", f"{found.database_url}, {state}")


def _check_alerts(settings: Settings, found: Diagnosis) -> None:
    """The alert channels that are configured: Telegram's token answers ``getMe``, and
    every apprise URL is one apprise can send to. Neither is shown (they hold secrets)."""
    from trader.adapters.notify import notification_urls
    from trader.telegram.config import CHATS_ENV, TOKEN_ENV, bot_config, configured

    if configured() or os.environ.get(TOKEN_ENV, "").strip():
        _check_telegram(settings, found, bot_config, f"{TOKEN_ENV} and {CHATS_ENV}")
    urls = notification_urls()
    if urls:
        import apprise

        bad = [str(n) for n, url in enumerate(urls, start=1) if not apprise.Apprise().add(url)]
        if bad:
            found.failed(
                "alerts",
                f"{len(bad)} of {len(urls)} URL(s) in TRADER_NOTIFY_URLS are not URLs apprise "
                f"can send to (number {', '.join(bad)} in the list; not shown: they hold secrets)",
                "fix those URLs (see apprise's list of services)",
                2,
            )
        else:
            found.passed("alerts", f"{len(urls)} apprise URL(s) in TRADER_NOTIFY_URLS are valid")


def _check_telegram(
    settings: Settings, found: Diagnosis, bot_config: Callable[[], Any], variables: str
) -> None:
    from trader.telegram.api import TelegramApi

    try:
        config = bot_config()
        with TelegramApi(config.token, settings.telegram.api_url, attempts=1) as api:
            name = api.me()
    except TraderError as exc:
        found.failed("telegram", str(exc), f"check {variables}", exc.exit_code)
        return
    found.passed("telegram", f"the bot @{name} answers; alerts go to {len(config.chats)} chat(s)")
