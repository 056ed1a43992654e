"""The commands' side of alerts: one notifier per command, its outcomes in the event log."""

from __future__ import annotations

from trader.cli.context import AppContext
from trader.notify import Notifier


def notifier(context: AppContext, command: str, *, enabled: bool = True) -> Notifier:
    def log(outcome: str, detail: dict) -> None:
        store = context.open_store()
        try:
            store.log_event(command, "alert", outcome, detail)
        finally:
            store.close()

    return Notifier(enabled=enabled, log=log)
