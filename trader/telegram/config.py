"""The bot's secrets and its audience, from the environment only.

``TELEGRAM_BOT_TOKEN`` is the token BotFather gives (``123456789:AA...``); it is never
printed, logged or stored. ``TELEGRAM_CHAT_ID`` lists the chats the bot answers, one
or more numeric ids separated by commas or spaces (a group's id is negative). Every
other chat is ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from trader.errors import ConfigError

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
CHATS_ENV = "TELEGRAM_CHAT_ID"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHAT = re.compile(r"^-?\d{1,20}$")


@dataclass(frozen=True, slots=True)
class BotConfig:
    token: str
    chats: tuple[int, ...]

    def __repr__(self) -> str:  # never show the token
        return f"BotConfig(chats={self.chats})"


def configured() -> bool:
    """True when both variables are set: alerts then go through the bot, with buttons."""
    return bool(os.environ.get(TOKEN_ENV, "").strip() and os.environ.get(CHATS_ENV, "").strip())


def bot_config() -> BotConfig:
    """The token and the allowed chats, or a ConfigError naming what is missing or wrong."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    chats_text = os.environ.get(CHATS_ENV, "").strip()
    missing = [name for name, value in ((TOKEN_ENV, token), (CHATS_ENV, chats_text)) if not value]
    if missing:
        raise ConfigError(f"the Telegram bot needs {' and '.join(missing)} in the environment")
    if not _TOKEN.match(token):
        raise ConfigError(
            f"{TOKEN_ENV} does not look like a bot token (digits, a colon, then letters and "
            f"digits): copy it whole from BotFather"
        )
    return BotConfig(token, parse_chats(chats_text))


def parse_chats(text: str) -> tuple[int, ...]:
    items = [item for item in re.split(r"[\s,]+", text) if item]
    bad = [item for item in items if not _CHAT.match(item)]
    if bad:
        raise ConfigError(
            f"{CHATS_ENV}: {', '.join(repr(b) for b in bad)} is not a chat id (a whole number, "
            f"negative for a group); separate several with commas"
        )
    return tuple(dict.fromkeys(int(item) for item in items))
