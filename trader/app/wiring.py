"""What a use case is given, and how it opens what it needs from the settings.

A use case receives a :class:`Wiring`: the settings, the home folder (where the
database and the embedded sim's state live) and a way to open the store. The CLI's
context is one; ``trader bot`` passes the same. The broker is opened from the settings
by :func:`trader.broker.connect.open_broker`, which decides the endpoints and refuses
a live account without its opt-ins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from trader.settings import Settings
    from trader.store import Store


class Wiring(Protocol):
    home: Path

    @property
    def settings(self) -> Settings: ...

    def open_store(self) -> Store: ...
