"""Fixtures for every test: no real keys leak in, and each test gets its own home folder."""

from __future__ import annotations

import pytest

SECRET_VARIABLES = (
    "APCA_API_KEY_ID",
    "APCA_API_SECRET_KEY",
    "APCA_API_BASE_URL",
    "APCA_API_DATA_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_CHAT_ID",
    "TRADER_DATABASE_URL",
    "TRADER_CONFIG",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Each test starts with no broker keys and its own TRADER_HOME."""
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRADER_HOME", str(tmp_path / "home"))
    return tmp_path
