"""Choosing and opening the broker for an account mode.

- ``sim`` (the default): the project's own Alpaca-compatible paper broker runs
  in-process on an ephemeral loopback port, with its state in
  ``$TRADER_HOME/sim_state.json``, and alpaca-py is pointed at it — the same code
  path as a real account. When ``trader sim serve`` runs on the same home, alpaca-py
  is pointed at that server instead.
- ``paper``: Alpaca's paper API, or any Alpaca-compatible URL in ``APCA_API_BASE_URL``
  except Alpaca's live host, which is refused before any request (alpaca-py ignores
  ``paper=True`` once a URL is given, so that URL alone would trade real money).
- ``live``: real money, on Alpaca's live host only. Needs ``allow_live_trading: true``
  in the config *and* ``--live`` on the command line.

- ``manual``: a hand-kept account with no broker at all.

Endpoints are resolved once (:func:`resolve_endpoints`) and shown by ``trader doctor``:
the trading URL is ``APCA_API_BASE_URL`` or the mode's Alpaca host; the data URL is
``APCA_API_DATA_URL``, else Alpaca's data host for any Alpaca trading host (market
data is served nowhere else), else the trading URL itself (an Alpaca-compatible
server such as ``trader sim serve`` serves both). A URL that is not http(s) to a host
is refused there (exit 2), and host names are compared as DNS compares them, case and
a trailing dot aside.

Keys come only from ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trader.broker.alpaca import AlpacaBroker, Connection
from trader.broker.protocol import Broker
from trader.core.domain import AccountMode
from trader.errors import ConfigError, MissingCredentials
from trader.settings import Settings

KEY_ENV = "APCA_API_KEY_ID"
SECRET_ENV = "APCA_API_SECRET_KEY"
TRADING_URL_ENV = "APCA_API_BASE_URL"
DATA_URL_ENV = "APCA_API_DATA_URL"
SIM_STATE_FILE = "sim_state.json"

PAPER_HOST = "https://paper-api.alpaca.markets"
LIVE_HOST = "https://api.alpaca.markets"
DATA_HOST = "https://data.alpaca.markets"


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a paper or live account's requests go, and where each URL came from."""

    trading_url: str
    data_url: str
    trading_source: str  # the variable it came from, or "default"
    data_source: str


_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def _host(url: str) -> str:
    """The host of ``url`` as DNS compares it: lower case, without the root's trailing
    dot (``API.alpaca.markets.`` is Alpaca's live host)."""
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _checked_url(name: str, url: str) -> str:
    """``url`` when it is an http(s) URL to a host name or address, else a ConfigError
    naming the variable: requests would take it and fail only at the first call."""
    from urllib.parse import urlsplit

    problem = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts, problem = None, "is not a URL"
    if parts is not None:
        host = _host(url)
        if parts.scheme.lower() not in ("http", "https"):
            problem = "does not start with http:// or https://"
        elif not host:
            problem = "names no host"
        elif not (_HOST_NAME.fullmatch(host) or ":" in host):  # a name, IPv4 or [IPv6]
            problem = f"has a host {host!r} that is not a host name"
    if problem is not None:
        raise ConfigError(
            f"{name}={url} {problem}: give a URL such as {PAPER_HOST} or http://127.0.0.1:8765"
        )
    return url


def is_alpaca_host(url: str) -> bool:
    host = _host(url)
    return host == "alpaca.markets" or host.endswith(".alpaca.markets")


def resolve_endpoints(mode: AccountMode) -> Endpoints:
    """The trading and data URLs for a paper or live account, checked against the mode.

    Raises ``ConfigError`` (exit 2) naming the variable when a paper account points at
    Alpaca's live host, or a live account at anything but it. No request is made.
    """
    trading = _url(TRADING_URL_ENV)
    default = LIVE_HOST if mode is AccountMode.LIVE else PAPER_HOST
    live_host = _host(LIVE_HOST)
    if trading is not None:
        if mode is AccountMode.LIVE and _host(trading) != live_host:
            raise ConfigError(
                f"{TRADING_URL_ENV}={trading} is not Alpaca's live host ({LIVE_HOST}): "
                "account 'live' trades only there; unset it or use account: paper"
            )
        if mode is not AccountMode.LIVE and _host(trading) == live_host:
            raise ConfigError(
                f"{TRADING_URL_ENV}={trading} is Alpaca's live host, but the account is "
                f"'{mode.value}': refusing to trade real money; use {PAPER_HOST}, or "
                "account: live with allow_live_trading and --live"
            )
    data = _url(DATA_URL_ENV)
    if data is not None:
        data_source = DATA_URL_ENV
    elif trading is None or is_alpaca_host(trading):
        data, data_source = DATA_HOST, "default for Alpaca hosts"
    else:
        data, data_source = trading, f"same server as {TRADING_URL_ENV}"
    return Endpoints(
        trading_url=trading or default,
        data_url=data,
        trading_source=TRADING_URL_ENV if trading is not None else "default",
        data_source=data_source,
    )


@dataclass(frozen=True, slots=True)
class OpenBroker:
    mode: AccountMode
    broker: Broker
    endpoint: str  # a description safe to print: no keys


def _url(name: str) -> str | None:
    value = os.environ.get(name, "").strip().rstrip("/")
    if value.endswith("/v2"):
        value = value[: -len("/v2")]
    return _checked_url(name, value) if value else None


def remote_connection(settings: Settings, mode: AccountMode) -> Connection:
    """The connection for a paper or live account, from the environment."""
    endpoints = resolve_endpoints(mode)
    key_id = os.environ.get(KEY_ENV, "").strip()
    secret = os.environ.get(SECRET_ENV, "").strip()
    missing = [name for name, value in ((KEY_ENV, key_id), (SECRET_ENV, secret)) if not value]
    if missing:
        raise MissingCredentials(
            f"account '{mode.value}' needs {' and '.join(missing)} in the environment"
        )
    return Connection(
        key_id=key_id,
        secret_key=secret,
        paper=mode is not AccountMode.LIVE,
        trading_url=endpoints.trading_url,
        data_url=endpoints.data_url,
        timeout_seconds=settings.broker.timeout_seconds,
        max_retries=settings.broker.max_retries,
        data_feed=settings.broker.data_feed,
    )


def check_live_opt_in(settings: Settings, live_flag: bool) -> None:
    if not settings.allow_live_trading:
        raise ConfigError(
            "account 'live' needs allow_live_trading: true in the config (and --live on the command line)"
        )
    if not live_flag:
        raise ConfigError("account 'live' needs --live on the command line to confirm real money")


@contextmanager
def embedded_sim(settings: Settings, home: Path) -> Iterator[Connection]:
    """The embedded sim account (its state in ``home``), served for as long as the block
    runs: the connection to it, with its own keys. When ``trader sim serve`` runs on
    ``home``, the connection is to that server instead."""
    from trader.adapters.home import is_writable_folder, make_home
    from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer
    from trader.sim.serving import running_url

    def connection(url: str) -> Connection:
        return Connection(
            SIM_KEY_ID,
            SIM_SECRET_KEY,
            trading_url=url,
            data_url=url,
            timeout_seconds=settings.broker.timeout_seconds,
            max_retries=settings.broker.max_retries,
            data_feed=settings.broker.data_feed,
        )

    served = running_url(home)
    if served is not None:
        # `trader sim serve` holds this account in memory: a second server on its state
        # file would have its orders erased by the running one's next save.
        yield connection(served)
        return
    make_home(home)
    if not is_writable_folder(home):
        raise ConfigError(
            f"the sim account lives in TRADER_HOME {home}, which cannot be written "
            "(read-only): point TRADER_HOME at a writable folder"
        )
    server = SimServer(state_path=home / SIM_STATE_FILE, scenario=settings.sim.scenario)
    url = server.start()
    try:
        yield connection(url)
    finally:
        server.stop()


@contextmanager
def open_broker(settings: Settings, home: Path, *, live_flag: bool = False) -> Iterator[OpenBroker]:
    """Open the broker for the configured account mode; an embedded sim stops on exit."""
    mode = AccountMode(settings.account)
    if mode is AccountMode.MANUAL:
        raise ConfigError("account 'manual' has no broker: plan it with --no-sync")
    if mode is AccountMode.SIM:
        with embedded_sim(settings, home) as connection:
            yield OpenBroker(
                mode, AlpacaBroker(connection), f"local paper broker ({home / SIM_STATE_FILE})"
            )
        return
    if mode is AccountMode.LIVE:
        check_live_opt_in(settings, live_flag)
    connection = remote_connection(settings, mode)
    endpoint = str(connection.trading_url)
    yield OpenBroker(mode, AlpacaBroker(connection), endpoint)
