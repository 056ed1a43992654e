"""Importing alpaca-py's trading client without paying for pandas.

alpaca-py's trading request models import pandas at the top of their module, for one
validator of corporate-action requests that trader never sends. pandas (and numpy behind
it) is a third of a second at start-up, more than a whole ``trader plan`` needs besides.
Inside ``pandas_deferred()`` an ``import pandas`` gets a stand-in module instead, which
imports the real pandas the first time anything is read from it. Outside the block, and
as soon as the stand-in is first used, everyone gets the real pandas.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PANDAS = "pandas"


class _Deferred(types.ModuleType):
    """A module that becomes the real one on first use (an attribute it lacks)."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


@contextmanager
def pandas_deferred() -> Iterator[None]:
    """Imports in this block that ask for pandas get a stand-in that loads it when used."""
    if PANDAS in sys.modules:  # already loaded: nothing to save
        yield
        return
    stand_in = _Deferred(PANDAS)
    sys.modules[PANDAS] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(PANDAS) is stand_in:
            del sys.modules[PANDAS]
