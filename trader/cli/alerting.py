"""The commands' side of alerts: one notifier per command, its outcomes in the event log.

When the Telegram bot is configured, a staged plan's alert carries Approve / Reject /
Details buttons, with a one-time token that lives as long as the plan (``trader bot``
answers the taps).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import typer

from trader.adapters.notify import Notifier
from trader.cli.alert_views import plan_alert
from trader.cli.context import AppContext
from trader.core.domain import AccountMode
from trader.errors import ConfigError
from trader.planning.service import PlanOutcome


def notifier(
    context: AppContext,
    command: str,
    *,
    enabled: bool = True,
    chats: tuple[int, ...] | None = None,
) -> Notifier:
    """The command's notifier; ``chats`` narrows Telegram to some of the allowed chats."""

    def log(outcome: str, detail: dict) -> None:
        store = context.open_store()
        try:
            store.log_event(command, "alert", outcome, detail)
        finally:
            store.close()

    telegram = None
    if enabled:
        from trader.telegram.config import bot_config, configured

        if configured():
            from trader.telegram.channel import TelegramChannel

            try:
                config = bot_config()
                if chats is not None:
                    config = replace(config, chats=tuple(c for c in config.chats if c in chats))
                telegram = TelegramChannel(config, context.settings.telegram.api_url)
            except ConfigError as exc:  # an alert never breaks the workflow: say why, go on
                _warn(f"Telegram alert failed: {exc}")
                log("error", {"services": "telegram", "error": str(exc)})
    return Notifier(enabled=enabled, log=log, telegram=telegram, warn=_warn)


def _warn(text: str) -> None:
    """A failed alert, on the terminal: one line, the same for every service."""
    typer.echo(f"warning: {text}", err=True)


def approval_refused(context: AppContext, mode: AccountMode) -> str | None:
    """Why Approve is not offered for a plan of this mode, or None when it is."""
    if mode is AccountMode.MANUAL:
        return "The manual account is never executed: place its orders yourself."
    if mode is AccountMode.LIVE and not context.settings.telegram.allow_live_approval:
        return (
            "Approving a live plan from Telegram is off (telegram.allow_live_approval): "
            "run trader execute --confirm --live."
        )
    return None


def send_plan_alert(
    context: AppContext,
    command: str,
    outcome: PlanOutcome,
    *,
    enabled: bool,
    buttons: bool,
    chats: tuple[int, ...] | None = None,
) -> None:
    """Alert on a staged plan; on Telegram, with its buttons unless ``buttons`` is False
    (a plan ``auto_execute`` sends at once)."""
    alerts = notifier(context, command, enabled=enabled, chats=chats)
    title, body = plan_alert(outcome)
    staged = outcome.staged
    if not (alerts.telegram_active and buttons and staged is not None):
        alerts.send(title, body)
        return
    from trader.telegram.messages import buttons_line, plan_buttons

    expires_at = staged.created_at + timedelta(minutes=context.settings.execution.plan_ttl_minutes)
    store = context.open_store()
    try:
        token = store.issue_approval(staged.uid, expires_at)
    finally:
        store.close()
    why_not = approval_refused(context, outcome.mode)
    approvable = why_not is None
    alerts.send(
        title,
        body,
        telegram_body=f"{body}\n{buttons_line(expires_at, approvable=approvable, why_not=why_not or '')}",
        buttons=plan_buttons(staged.uid, token, approvable=approvable),
    )
