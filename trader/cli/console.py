"""The ``trader`` console script (and ``python -m trader``): :func:`trader.cli.app.main`,
with Python's cyclic garbage collector held off while the process starts.

Starting a command creates about a hundred thousand objects that live as long as the
process: modules, classes, SQLModel's tables, alpaca-py's models. The collector would
walk them a few hundred times before the first request is sent, for nothing (about
150 ms of a ``trader plan``, a tenth of it). So it is off for the first
``START_SECONDS``, which a short command (a plan, a sync, a ``--help``) ends within; a
long one (``trader bot``, ``trader sim serve``, a long backtest) then runs with it on, as
does a process forked while it was off (a backtest's workers). Memory stays bounded:
nothing but cyclic garbage waits, and only for those seconds.

Tests call ``main(argv)`` directly and never import this module.
"""

from __future__ import annotations

import gc
import os
import threading

START_SECONDS = 2.0


def _hold_off_collection(seconds: float) -> None:
    if not gc.isenabled():
        return  # turned off by whoever runs us: theirs to turn on
    gc.disable()
    os.register_at_fork(after_in_child=gc.enable)
    timer = threading.Timer(seconds, gc.enable)
    timer.daemon = True
    timer.start()


_hold_off_collection(START_SECONDS)

from trader.cli.app import main  # noqa: E402  (imported with the collector off)

__all__ = ["main"]
