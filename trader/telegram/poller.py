"""The bot's loop: read updates, handle each, then acknowledge it.

Telegram keeps sending an update until a ``getUpdates`` asks for the ones after it.
The loop stores an update's id only once the update is handled, and asks for the
updates after the stored id: a bot stopped (killed, crashed, the machine rebooted)
between receiving an update and storing its id sees it again on the next start.
Handling is made safe to repeat where it matters (an approval's token remembers the
update that claimed it), so a restart neither loses an approval nor repeats one.

A network error or a 429 while waiting for updates is waited out, for as long as
it lasts; Telegram refusing the token stops the loop with that error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from trader.errors import TelegramUnreachable
from trader.store import Store
from trader.telegram.api import Incoming, TelegramApi

MAX_OUTAGE_WAIT = 60.0


@dataclass
class Poller:
    api: TelegramApi
    store: Store
    handle: Callable[[Incoming], None]
    poll_timeout: int = 50
    sleep: Callable[[float], None] = time.sleep

    def next_offset(self) -> int | None:
        last = self.store.telegram_offset(self.api.bot_id)
        return None if last is None else last + 1

    def handle_batch(self, updates: list[Incoming]) -> int:
        for update in updates:
            self.handle(update)
            self.store.save_telegram_offset(self.api.bot_id, update.update_id)
        return len(updates)

    def run_once(self) -> int:
        """Handle every pending update, then return how many there were."""
        handled = 0
        while True:
            updates = self.api.updates(self.next_offset(), timeout=0)
            if not updates:
                return handled
            handled += self.handle_batch(updates)

    def run_forever(self) -> None:
        """Long-poll and handle until stopped (Ctrl-C, a signal, or a refused token)."""
        outage = 0
        while True:
            try:
                updates = self.api.updates(self.next_offset(), timeout=self.poll_timeout)
                outage = 0
                self.handle_batch(updates)
            except TelegramUnreachable as exc:
                # The update being handled, if any, is not acknowledged: it comes again.
                outage += 1
                wait = min(2.0**outage, MAX_OUTAGE_WAIT)
                logging.getLogger(__name__).warning("%s; trying again in %g s", exc, wait)
                self.store.log_event("bot", "telegram", "unreachable", {"error": str(exc)})
                self.sleep(wait)
