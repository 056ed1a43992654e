"""``trader bot``: answer Telegram — the plan buttons and /status /plan /pause /resume /help.

One bot per account: a second ``trader bot`` on the same account is refused at once,
by the same kind of lock as ``trader execute`` (held by the operating system, so a
killed bot leaves nothing behind). ``--once`` handles the pending updates and exits,
for cron; without it the bot long-polls until stopped. The Telegram library and the
bot's modules are imported only when the command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext

if TYPE_CHECKING:
    from trader.core.domain import AccountMode


def account_name(context: AppContext, mode: AccountMode, live: bool) -> str:
    """The account the bot works for, as the execution lock names it."""
    from trader.broker.connect import open_broker
    from trader.core.domain import AccountMode

    if mode is AccountMode.MANUAL:
        return "manual"
    with open_broker(context.settings, context.home, live_flag=live) as opened:
        return f"{mode.value}:{opened.broker.account().account_id}"


def bot(
    ctx: typer.Context,
    once: bool = typer.Option(
        False, "--once", help="Handle the pending updates, then exit (for cron)."
    ),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
) -> None:
    """Run the Telegram bot: the plan buttons, /status /plan /pause /resume /help.

    Needs TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID (one or more chat ids, comma-separated)
    in the environment; every other chat is ignored. Approve runs the same checks as
    `trader execute --confirm`. Exit codes: 0 stopped; 23 Telegram refused the token or
    a request; 24 Telegram unreachable; 25 another trader bot runs on the account.
    """
    from trader.cli.bot_actions import BotActions
    from trader.core.domain import AccountMode
    from trader.telegram.api import TelegramApi
    from trader.telegram.config import bot_config
    from trader.telegram.messages import COMMANDS
    from trader.telegram.poller import Poller

    context: AppContext = ctx.obj
    settings = context.settings
    config = bot_config()
    mode = AccountMode(settings.account)
    name = account_name(context, mode, live)
    store = context.open_store()
    try:
        with store.bot_lock(name), TelegramApi(config.token, settings.telegram.api_url) as api:
            actions = BotActions(context, api, store, frozenset(config.chats), live=live)
            poller = Poller(
                api, store, actions.handle, poll_timeout=settings.telegram.poll_timeout_seconds
            )
            api.set_commands(COMMANDS)
            store.log_event("bot", "command", "started", {"account": name, "once": once})
            if once:
                handled = poller.run_once()
                context.console.print(f"Handled {handled} Telegram update(s).")
                return
            context.console.print(
                f"trader bot for the {mode.value} account: listening to "
                f"{len(config.chats)} chat(s); Ctrl-C stops it."
            )
            try:
                poller.run_forever()
            except KeyboardInterrupt:
                context.console.print("Stopped.")
    finally:
        store.close()
