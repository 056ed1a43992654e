"""What every command needs: the settings, the home folder, the store, the output console.

The settings and the store are loaded on first use, not on import: ``trader --help``
builds a context too, and must not pay for pydantic or SQLAlchemy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from trader.settings import Settings
    from trader.store import Store

HOME_ENV = "TRADER_HOME"
DEFAULT_HOME = Path(".trader")


def trader_home() -> Path:
    """Where the database and the embedded sim's state live: ``$TRADER_HOME`` or ``./.trader``."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value) if value else DEFAULT_HOME


@dataclass
class AppContext:
    config_path: Path | None = None
    home: Path = field(default_factory=trader_home)
    console: Console = field(default_factory=Console)
    loaded: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self.loaded is None:
            from trader.settings import load_settings

            self.loaded = load_settings(self.config_path)
        return self.loaded

    @property
    def sim_settings(self) -> Settings:
        """The settings a ``trader sim`` command reads: the config's when there is one,
        else the defaults.

        The ``trader sim`` commands work from any folder: without ``--config``,
        ``$TRADER_CONFIG`` or a config in the default place, they use the defaults.
        """
        from trader.settings import Settings, config_path

        defaults_only = self.config_path is None and not os.environ.get("TRADER_CONFIG")
        if self.loaded is None and defaults_only and not config_path(None).exists():
            return Settings()
        return self.settings

    @property
    def sim_scenario(self) -> str:
        """The sim's scenario: the config's ``sim.scenario``, else the default."""
        return self.sim_settings.sim.scenario

    def derive(self, **changes: object) -> AppContext:
        """A copy with some fields changed (the demo runs on its own home and a sim account)."""
        return replace(self, **changes)

    def open_store(self) -> Store:
        from trader.adapters.home import make_home
        from trader.store import default_database_url, open_store

        make_home(self.home)
        return open_store(default_database_url(self.home))
