"""Alerts through apprise: Telegram by default, any apprise URL besides.

Telegram is configured by ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_CHAT_ID`` in the
environment; ``TRADER_NOTIFY_URLS`` adds any apprise URLs (space or comma separated,
e.g. ``json://host:port/path`` or ``mailto://...``). The URLs carry secrets, so they
are never printed or logged: the event log says only how many services were tried.

An alert must never break the trade workflow: a failure is logged and tried once
more, and then given up. Telegram refuses messages over 4,096 characters, so a
message is cut to fit, saying so.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_MESSAGE = 4096
TRUNCATED = "\n… (cut to fit; the full plan is in the report)"


def notification_urls() -> list[str]:
    urls = []
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    chat = os.environ.get("TELEGRAM_CHAT_ID", "").strip()
    if token and chat:
        urls.append(f"tgram://{token}/{chat}")
    extra = os.environ.get("TRADER_NOTIFY_URLS", "").strip()
    urls.extend(u for u in re.split(r"[\s,]+", extra) if u)
    return urls


def fit(body: str, limit: int = MAX_MESSAGE) -> str:
    if len(body) <= limit:
        return body
    return body[: limit - len(TRUNCATED)] + TRUNCATED


@dataclass
class Notifier:
    """Sends alerts to every configured service; ``enabled=False`` (``--no-notify``) sends none."""

    urls: list[str] = field(default_factory=notification_urls)
    enabled: bool = True
    log: Callable[[str, dict], None] | None = None  # (outcome, detail) into the event log
    sent: int = 0

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.urls)

    def send(self, title: str, body: str) -> bool:
        """Send one alert; True when a service took it. Never raises."""
        if not self.active:
            return False
        import apprise  # a tenth of a second to import: only when there is an alert to send

        for attempt in (1, 2):
            try:
                client = apprise.Apprise()
                for url in self.urls:
                    client.add(url)
                if client.notify(title=title, body=fit(body)):
                    self.sent += 1
                    self._record("sent", {"title": title, "services": len(self.urls)})
                    return True
            except Exception as exc:  # an alert never breaks the trade workflow
                logging.getLogger(__name__).warning("alert failed: %s", type(exc).__name__)
            self._record("error", {"title": title, "attempt": attempt, "services": len(self.urls)})
        return False

    def _record(self, outcome: str, detail: dict) -> None:
        if self.log is not None:
            try:
                self.log(outcome, detail)
            except Exception:  # the store failing must not break the workflow either
                logging.getLogger(__name__).warning("could not log the alert")
