"""Alerts to the configured Telegram chats through the bot, buttons and all.

Used by the notifier when ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_CHAT_ID`` are set. An
alert never breaks the trade workflow: a failure is logged (without the token) and
reported as False, never raised. Few tries: ``trader plan`` is not kept waiting.
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

    def send(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> bool:
        """Send ``text`` to every allowed chat; True when each one took it."""
        delivered = 0
        try:
            with TelegramApi(self.config.token, self.api_url, attempts=self.attempts) as api:
                for chat in self.config.chats:
                    try:
                        api.send(chat, text, buttons)
                        delivered += 1
                    except TelegramError as exc:
                        logging.getLogger(__name__).warning("Telegram alert failed: %s", exc)
        except Exception as exc:  # an alert never breaks the trade workflow
            logging.getLogger(__name__).warning("Telegram alert failed: %s", type(exc).__name__)
        return delivered == len(self.config.chats)
