"""Choosing and opening the broker for an account mode.

- ``sim`` (the default): the project's own Alpaca-compatible paper broker runs
  in-process on an ephemeral loopback port, with its state in
  ``$TRADER_HOME/sim_state.json``, and alpaca-py is pointed at it — the same code
  path as a real account.
- ``paper``: Alpaca's paper API, or any Alpaca-compatible URL in ``APCA_API_BASE_URL``.
- ``live``: real money. Needs ``allow_live_trading: true`` in the config *and*
  ``--live`` on the command line.
- ``manual``: a hand-kept account with no broker at all.

Keys come only from ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trader.broker.alpaca import AlpacaBroker, Connection
from trader.core.domain import AccountMode
from trader.errors import ConfigError, MissingCredentials
from trader.settings import Settings

KEY_ENV = "APCA_API_KEY_ID"
SECRET_ENV = "APCA_API_SECRET_KEY"
TRADING_URL_ENV = "APCA_API_BASE_URL"
DATA_URL_ENV = "APCA_API_DATA_URL"
SIM_STATE_FILE = "sim_state.json"


@dataclass(frozen=True, slots=True)
class OpenBroker:
    mode: AccountMode
    broker: AlpacaBroker
    endpoint: str  # a description safe to print: no keys


def _url(name: str) -> str | None:
    value = os.environ.get(name, "").strip().rstrip("/")
    if value.endswith("/v2"):
        value = value[: -len("/v2")]
    return value or None


def remote_connection(settings: Settings, mode: AccountMode) -> Connection:
    """The connection for a paper or live account, from the environment."""
    key_id = os.environ.get(KEY_ENV, "").strip()
    secret = os.environ.get(SECRET_ENV, "").strip()
    missing = [name for name, value in ((KEY_ENV, key_id), (SECRET_ENV, secret)) if not value]
    if missing:
        raise MissingCredentials(
            f"account '{mode.value}' needs {' and '.join(missing)} in the environment"
        )
    trading_url = _url(TRADING_URL_ENV)
    return Connection(
        key_id=key_id,
        secret_key=secret,
        paper=mode is not AccountMode.LIVE,
        trading_url=trading_url,
        data_url=_url(DATA_URL_ENV) or trading_url,
        timeout_seconds=settings.broker.timeout_seconds,
        max_retries=settings.broker.max_retries,
    )


def check_live_opt_in(settings: Settings, live_flag: bool) -> None:
    if not settings.allow_live_trading:
        raise ConfigError(
            "account 'live' needs allow_live_trading: true in the config (and --live on the command line)"
        )
    if not live_flag:
        raise ConfigError("account 'live' needs --live on the command line to confirm real money")


@contextmanager
def open_broker(settings: Settings, home: Path, *, live_flag: bool = False) -> Iterator[OpenBroker]:
    """Open the broker for the configured account mode; an embedded sim stops on exit."""
    mode = AccountMode(settings.account)
    if mode is AccountMode.MANUAL:
        raise ConfigError("account 'manual' has no broker: plan it with --no-sync")
    if mode is AccountMode.SIM:
        from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer

        home.mkdir(parents=True, exist_ok=True)
        server = SimServer(state_path=home / SIM_STATE_FILE, scenario=settings.sim.scenario)
        url = server.start()
        try:
            connection = Connection(
                SIM_KEY_ID,
                SIM_SECRET_KEY,
                trading_url=url,
                data_url=url,
                timeout_seconds=settings.broker.timeout_seconds,
                max_retries=settings.broker.max_retries,
            )
            yield OpenBroker(
                mode, AlpacaBroker(connection), f"local paper broker ({home / SIM_STATE_FILE})"
            )
        finally:
            server.stop()
        return
    if mode is AccountMode.LIVE:
        check_live_opt_in(settings, live_flag)
    connection = remote_connection(settings, mode)
    endpoint = connection.trading_url or (
        "Alpaca live API" if mode is AccountMode.LIVE else "Alpaca paper API"
    )
    yield OpenBroker(mode, AlpacaBroker(connection), endpoint)
