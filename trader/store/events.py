"""Making an event's detail safe to store: JSON text with no secret in it.

Secrets come from the environment and must never reach the database. Before an
event is written, every string in it (the command, and every key and value of
its detail, however deeply nested) has the values of the secret environment
variables replaced by ``***``, and any value stored under a key that names a
secret (``password``, ``token``, ``secret_key``...) is replaced whole.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path

from trader.core.money import plain

MASK = "***"
SECRET_ENVIRONMENT = ("APCA_API_SECRET_KEY", "APCA_API_KEY_ID", "TELEGRAM_BOT_TOKEN")
_SECRET_KEY_NAME = re.compile(
    r"(secret|password|passwd|token|api_key|apikey|key_id|authorization|credential)", re.I
)
# Shorter values would mask innocent text; real keys and tokens are far longer.
_MIN_SECRET_LENGTH = 4


def secret_values() -> list[str]:
    """The secrets currently set in the environment, longest first."""
    values = {os.environ.get(name, "").strip() for name in SECRET_ENVIRONMENT}
    # Notification URLs carry their services' tokens: each one is a secret.
    values |= set(re.split(r"[\s,]+", os.environ.get("TRADER_NOTIFY_URLS", "").strip()))
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def scrub_text(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every secret environment value replaced by ``***``."""
    for secret in secret_values() if secrets is None else secrets:
        text = text.replace(secret, MASK)
    return text


def scrub(value: object, secrets: list[str] | None = None) -> object:
    """A JSON-ready copy of ``value`` with secrets masked.

    Decimals become their exact plain strings, datetimes ISO 8601, enums their
    values; anything else unknown becomes its ``str``.
    """
    secrets = secret_values() if secrets is None else secrets
    if isinstance(value, Mapping):
        return {
            scrub_text(str(key), secrets): (
                MASK if _SECRET_KEY_NAME.search(str(key)) and item else scrub(item, secrets)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item, secrets) for item in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Decimal):
        return plain(value) if value.is_finite() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return scrub(value.value, secrets)
    if isinstance(value, Path):
        value = str(value)
    return scrub_text(value if isinstance(value, str) else str(value), secrets)


def detail_json(detail: Mapping[str, object]) -> str:
    """The event detail as compact, key-sorted JSON text, secrets masked."""
    return json.dumps(scrub(detail), sort_keys=True, separators=(",", ":"))
