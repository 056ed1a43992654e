"""Which sim a ``trader sim`` command steers, or why it refuses to.

- ``account: sim``: the running ``trader sim serve`` of ``$TRADER_HOME``, through its
  ``/sim/...`` endpoints, when one runs: it holds the account in memory, and its next
  save would erase a change made to its state file. Otherwise the state file itself
  (an in-process sim, for the command's duration), as before.
- ``account: paper``: the trader sim that ``APCA_API_BASE_URL`` points at, with the
  account's keys. Alpaca's own hosts are refused before any request: there is no sim
  there to steer, and creating a local one would change nothing the account sees.
- ``live`` and ``manual``: refused.

A refusal is a ``ConfigError`` (one line, exit 2); a sim that cannot be reached is a
``BrokerUnreachable`` (exit 3).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from trader.cli.context import AppContext
from trader.errors import BrokerUnreachable, ConfigError


@dataclass(frozen=True, slots=True)
class SteeredSim:
    """The controls of the sim a command changes; ``url`` when it runs in another process."""

    controls: Any  # trader.sim.controls.Controls or trader.sim.remote.RemoteControls
    url: str | None = None

    def where(self) -> str:
        """What to add to a command's line: which server it changed, when not its own."""
        return f" (trader sim at {self.url})" if self.url else ""


@contextmanager
def steered_sim(context: AppContext, command: str) -> Iterator[SteeredSim]:
    """The sim ``trader sim COMMAND`` changes, for the ``with`` block."""
    from trader.sim.remote import NotASim, SimUnreachable

    account = context.sim_settings.account
    if account == "sim":
        opened = _home_sim(context)
    elif account == "paper":
        opened = _paper_sim(context, command)
    else:
        raise ConfigError(
            f"account '{account}' is no sim: 'trader sim {command}' changes only a sim "
            "(account: sim, or account: paper with APCA_API_BASE_URL at a 'trader sim serve')"
        )
    with opened as steered:
        try:
            yield steered
        except SimUnreachable as exc:
            raise BrokerUnreachable(f"{exc}: 'trader sim {command}' changed nothing") from None
        except NotASim as exc:
            raise ConfigError(f"{exc}: 'trader sim {command}' changed nothing") from None


@contextmanager
def _home_sim(context: AppContext) -> Iterator[SteeredSim]:
    from trader.adapters.home import make_home
    from trader.broker.connect import SIM_STATE_FILE
    from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer
    from trader.sim.remote import RemoteControls
    from trader.sim.serving import running_url

    url = running_url(context.home)
    if url is not None:
        yield SteeredSim(RemoteControls(url, SIM_KEY_ID, SIM_SECRET_KEY), url)
        return
    make_home(context.home)
    server = SimServer(state_path=context.home / SIM_STATE_FILE, scenario=context.sim_scenario)
    with server:
        yield SteeredSim(server.controls)


@contextmanager
def _paper_sim(context: AppContext, command: str) -> Iterator[SteeredSim]:
    from trader.broker.connect import (
        KEY_ENV,
        SECRET_ENV,
        TRADING_URL_ENV,
        is_alpaca_host,
        resolve_endpoints,
    )
    from trader.core.domain import AccountMode
    from trader.sim.remote import RemoteControls

    url = resolve_endpoints(AccountMode.PAPER).trading_url
    if is_alpaca_host(url):
        raise ConfigError(
            f"account 'paper' trades at {url}, which is no trader sim: 'trader sim {command}' "
            f"changes only a sim (point {TRADING_URL_ENV} at a 'trader sim serve', "
            "or use account: sim)"
        )
    keys = [os.environ.get(name, "").strip() for name in (KEY_ENV, SECRET_ENV)]
    if not all(keys):
        raise ConfigError(f"account 'paper' needs {KEY_ENV} and {SECRET_ENV} to steer its sim")
    yield SteeredSim(RemoteControls(url, *keys), url)
