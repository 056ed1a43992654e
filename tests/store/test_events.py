"""The event log keeps every command and broker call outcome, and never a secret."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text

from trader.core.domain import Side
from trader.store.events import scrub

SECRET = "sk-live-9f8e7d6c5b4a39281706"
KEY_ID = "AKXXLIVEKEY1234567"
TOKEN = "123456:telegram-bot-token-abcdef"


def stored_text(store) -> str:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT command, detail FROM event")).all()
    return "\n".join(f"{command} {detail}" for command, detail in rows)


def test_events_come_back_newest_first_with_their_detail(store):
    store.log_event("sync", "broker_call", "ok", {"action": "get_account"})
    store.log_event("sync", "command", "ok", {"snapshot_id": 1, "new_fills": 2})

    events = store.events()

    assert [(e["command"], e["kind"], e["outcome"]) for e in events] == [
        ("sync", "command", "ok"),
        ("sync", "broker_call", "ok"),
    ]
    assert events[0]["detail"] == {"snapshot_id": 1, "new_fills": 2}
    assert events[0]["at"].tzinfo is UTC


def test_events_limit(store):
    for number in range(5):
        store.log_event("sync", "command", "ok", {"n": number})
    assert [e["detail"]["n"] for e in store.events(limit=2)] == [4, 3]


def test_secret_environment_values_are_never_stored(store, monkeypatch):
    monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
    monkeypatch.setenv("APCA_API_KEY_ID", KEY_ID)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)

    store.log_event(
        f"sync --key {KEY_ID}",
        "command",
        "error",
        {
            "error": f"401 for key {KEY_ID} with secret {SECRET}",
            "calls": [{"url": f"https://api.telegram.org/bot{TOKEN}/sendMessage"}],
            SECRET: "a secret used as a key",
        },
    )

    raw = stored_text(store)
    for secret in (SECRET, KEY_ID, TOKEN):
        assert secret not in raw
    event = store.events()[0]
    assert event["command"] == "sync --key ***"
    assert event["detail"]["error"] == "401 for key *** with secret ***"
    assert event["detail"]["calls"] == [{"url": "https://api.telegram.org/bot***/sendMessage"}]
    assert event["detail"]["***"] == "a secret used as a key"


def test_values_under_secret_looking_names_are_masked(store):
    store.log_event(
        "sync",
        "broker_call",
        "ok",
        {"headers": {"APCA-API-SECRET-KEY": "whatever", "Authorization": "Bearer x"}, "n": 1},
    )
    detail = store.events()[0]["detail"]
    assert detail == {"headers": {"APCA-API-SECRET-KEY": "***", "Authorization": "***"}, "n": 1}


def test_details_keep_decimals_exact_and_times_readable():
    detail = scrub(
        {
            "qty": Decimal("0.000000001"),
            "at": datetime(2025, 3, 3, 14, 30, tzinfo=UTC),
            "side": Side.SELL,
            "symbols": ("VTI", "BND"),
        }
    )
    assert detail == {
        "qty": "0.000000001",
        "at": "2025-03-03T14:30:00+00:00",
        "side": "sell",
        "symbols": ["VTI", "BND"],
    }
