"""Alerts: Telegram through trader's bot, and any apprise URL besides.

Telegram is configured by ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_CHAT_ID`` in the
environment and goes through the bot (``trader.telegram``), so a plan alert can carry
its Approve / Reject / Details buttons. ``TRADER_NOTIFY_URLS`` adds any apprise URLs
(space or comma separated, e.g. ``json://host:port/path`` or ``mailto://...``). The
URLs carry secrets, so they are never printed or logged: the event log says only how
many services were tried.

An alert must never break the trade workflow: a failure is logged and tried once
more, and then given up, with one warning (``warn``, the terminal's stderr for the
commands) that says which service failed, the same for Telegram and apprise. Telegram refuses messages over 4,096 characters, so a
message is cut to fit, saying so.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trader.telegram.api import Button
    from trader.telegram.channel import TelegramChannel

MAX_MESSAGE = 4096
TRUNCATED = "\n… (cut to fit; the full plan is in the report)"


def notification_urls() -> list[str]:
    """The apprise URLs of ``TRADER_NOTIFY_URLS`` (Telegram goes through the bot)."""
    extra = os.environ.get("TRADER_NOTIFY_URLS", "").strip()
    return [u for u in re.split(r"[\s,]+", extra) if u]


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
    telegram: TelegramChannel | None = None
    warn: Callable[[str], None] | None = None  # says a failed alert where the user sees it

    @property
    def active(self) -> bool:
        return self.enabled and (bool(self.urls) or self.telegram is not None)

    @property
    def telegram_active(self) -> bool:
        return self.enabled and self.telegram is not None

    def send(
        self,
        title: str,
        body: str,
        *,
        telegram_body: str | None = None,
        buttons: Sequence[Sequence[Button]] = (),
    ) -> bool:
        """Send one alert; True when a service took it. Never raises.

        Telegram gets ``telegram_body`` (default ``body``) and the ``buttons``."""
        if not self.active:
            return False
        delivered = False
        if self.telegram is not None:
            text = f"{title}\n{telegram_body if telegram_body is not None else body}"
            failure = self.telegram.send(text, buttons)
            if failure is None:
                delivered = True
                self.sent += 1
                self._record("sent", {"title": title, "services": "telegram"})
            else:
                self._record("error", {"title": title, "services": "telegram"})
                self._warn(f"Telegram alert failed: {failure}")
        return self._send_apprise(title, body) or delivered

    def _send_apprise(self, title: str, body: str) -> bool:
        if not self.urls:
            return False
        import apprise  # a tenth of a second to import: only when there is an alert to send

        reason = "the service did not take it"
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
                reason = type(exc).__name__
                logging.getLogger(__name__).debug("alert failed: %s", reason)
            self._record("error", {"title": title, "attempt": attempt, "services": len(self.urls)})
        # The URLs carry secrets: only how many were tried is said.
        self._warn(
            f"apprise alert failed: {reason} ({len(self.urls)} URL(s) of TRADER_NOTIFY_URLS, "
            "tried twice)"
        )
        return False

    def _warn(self, text: str) -> None:
        if self.warn is not None:
            self.warn(text)

    def _record(self, outcome: str, detail: dict) -> None:
        if self.log is not None:
            try:
                self.log(outcome, detail)
            except Exception:  # the store failing must not break the workflow either
                logging.getLogger(__name__).warning("could not log the alert")
