"""Alerts to the configured Telegram chats through the bot, buttons and all.

Used by the notifier when ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_CHAT_ID`` are set. An
alert never breaks the trade workflow: a failure is reported (without the token) as
the reason it failed, never raised. Few tries: ``trader plan`` is not kept waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from trader.errors import TelegramError
from trader.telegram.api import Button, TelegramApi
from trader.telegram.config import BotConfig


@dataclass(frozen=True, slots=True)
class TelegramChannel:
    config: BotConfig
    api_url: str
    attempts: int = 2

    def send(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> str | None:
        """Send ``text`` to every allowed chat; None when each one took it, else why not
        (never the token)."""
        failures: list[str] = []
        try:
            with TelegramApi(self.config.token, self.api_url, attempts=self.attempts) as api:
                for chat in self.config.chats:
                    try:
                        api.send(chat, text, buttons)
                    except TelegramError as exc:
                        failures.append(str(exc))
        except Exception as exc:  # an alert never breaks the trade workflow
            failures.append(type(exc).__name__)
        for failure in failures:
            logging.getLogger(__name__).debug("Telegram alert failed: %s", failure)
        return "; ".join(dict.fromkeys(failures)) or None
