"""The bot's tests: a fake Telegram Bot API (``fake_api.py``), the sim, and ``trader``.

``telegram`` is a fresh fake server; ``bot_config`` a copy of the shipped config
pointing the bot at it; ``bot_env`` the environment naming the token and the chat
allowed (``CHAT``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.telegram.fake_api import TOKEN, FakeTelegram

CHAT = 111
STRANGER = 999


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram()
    yield server
    server.close()


@pytest.fixture
def bot_config(config_file, telegram):
    """The shipped config (harvesting off: the three rebalance orders) with the bot's
    Bot API at the fake server; more replacements may be given."""

    def make(*replacements: tuple[str, str]) -> Path:
        return config_file(
            ("  poll_timeout_seconds: 50", f"  poll_timeout_seconds: 1\n  api_url: {telegram.url}"),
            *replacements,
            harvest=False,
        )

    return make


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_CHAT_ID": f"{CHAT}, 222"}


@pytest.fixture
def database(tmp_path):
    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(tmp_path / "home" / "trader.db")
        db.row_factory = sqlite3.Row
        return db

    return connect
