"""The Telegram Bot API, through python-telegram-bot, as plain blocking calls.

The rest of trader is synchronous, so the library's coroutines run on one event
loop kept for the life of a :class:`TelegramApi`. This is the one module that
imports the library, and the one place that translates its errors:

* a 429 (``RetryAfter``) waits the ``retry_after`` Telegram gives, then tries again;
* a network error, a timeout or a 5xx waits 1, 2, 4... seconds (30 at most);
* after ``attempts`` tries, :class:`~trader.errors.TelegramUnreachable`;
* a refused token, chat or request is :class:`~trader.errors.TelegramError` at once.

Every message that leaves this module has the token and the other secrets masked:
the library puts the token in URLs and in some of its messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from trader.errors import TelegramError, TelegramUnreachable
from trader.store.events import scrub_text

MAX_BACKOFF = 30.0
ALLOWED_UPDATES = ("message", "callback_query")
NOT_MODIFIED = "message is not modified"


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str  # callback data, at most 64 bytes


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update, as the bot reads it: a message, a button tap, or something else."""

    update_id: int
    kind: str  # "message" | "tap" | "other"
    chat_id: int | None
    user_id: int | None
    text: str = ""  # the message's text, or the tap's callback data
    message_id: int | None = None  # the message (for a tap: the one carrying the buttons)
    reply_to: int | None = None  # the message a message replies to
    callback_id: str | None = None
    message_text: str = ""  # for a tap: the text of the message carrying the buttons


class TelegramApi:
    """A bot's calls to the Bot API at ``api_url`` (Telegram's, or one of your own)."""

    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from telegram import Bot
        from telegram.request import HTTPXRequest

        # httpx logs every request's URL, token included, at INFO.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.bot_id = token.split(":", 1)[0]  # the bot's own user id: not a secret
        self.attempts = attempts
        self._sleep = sleep
        self._bot = Bot(
            token,
            base_url=f"{api_url.rstrip('/')}/bot",
            request=HTTPXRequest(connect_timeout=10, read_timeout=20, write_timeout=20),
            get_updates_request=HTTPXRequest(connect_timeout=10, read_timeout=70),
        )
        self._runner = asyncio.Runner()

    def close(self) -> None:
        try:
            self._runner.run(self._bot.shutdown())
        except Exception:  # closing a connection that failed already: nothing to release
            logging.getLogger(__name__).debug("closing the Telegram client failed")
        finally:
            self._runner.close()

    def __enter__(self) -> TelegramApi:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- calls -----------------------------------------------------------------------------
    def updates(self, offset: int | None, timeout: int) -> list[Incoming]:
        """The updates after those acknowledged (``offset``: the first one wanted), waiting
        up to ``timeout`` seconds for one to come."""
        found = self._call(
            "read the updates",
            lambda: self._bot.get_updates(
                offset=offset,
                timeout=timeout,
                allowed_updates=list(ALLOWED_UPDATES),
                read_timeout=timeout + 20,
            ),
        )
        return [_incoming(update) for update in found]

    def send(
        self,
        chat_id: int,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        *,
        ask_reply: bool = False,
    ) -> int:
        """Send a plain-text message, with inline buttons or asking for a reply; its id."""
        markup = _reply_markup(buttons, ask_reply)
        message = self._call(
            "send a message",
            lambda: self._bot.send_message(chat_id, fit(text), reply_markup=markup),
        )
        return int(message.message_id)

    def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        """Replace a message's text and buttons (no buttons: they are removed)."""
        markup = _reply_markup(buttons, False)
        self._call(
            "edit a message",
            lambda: self._bot.edit_message_text(
                fit(text), chat_id=chat_id, message_id=message_id, reply_markup=markup
            ),
        )

    def answer(self, callback_id: str, text: str = "") -> None:
        """Answer a tap (the client stops its spinner and shows ``text`` briefly)."""
        self._call(
            "answer a button tap",
            lambda: self._bot.answer_callback_query(callback_id, text=text or None),
        )

    def me(self) -> str:
        """The bot's user name (``getMe``): proves the token is the bot's."""
        user = self._call("read the bot's name", lambda: self._bot.get_me())
        return str(getattr(user, "username", "") or self.bot_id)

    def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        from telegram import BotCommand

        self._call(
            "set the bot's commands",
            lambda: self._bot.set_my_commands([BotCommand(c, d) for c, d in commands]),
        )

    # -- retries and errors ----------------------------------------------------------------
    def _call(self, what: str, request: Callable[[], Awaitable[Any]]) -> Any:
        from telegram import error

        for attempt in range(1, self.attempts + 1):
            try:
                return self._runner.run(_awaited(request))
            except error.RetryAfter as exc:
                wait = _seconds(exc)
                reason = f"Telegram asked to wait {wait:g} s (429)"
            except error.NetworkError as exc:  # timeouts, 5xx, connection failures
                if isinstance(exc, error.BadRequest):
                    if NOT_MODIFIED in exc.message.lower():
                        return None  # the message already says it
                    raise TelegramError(f"Telegram refused to {what}: {_said(exc)}") from None
                wait = min(2.0 ** (attempt - 1), MAX_BACKOFF)
                reason = _said(exc)
            except error.InvalidToken:
                raise TelegramError(
                    "Telegram refused TELEGRAM_BOT_TOKEN: copy the token BotFather gave, whole"
                ) from None
            except error.Forbidden as exc:
                raise TelegramError(
                    f"Telegram refused to {what}: {_said(exc)} (has the chat started the bot?)"
                ) from None
            except error.Conflict as exc:
                raise TelegramError(
                    f"Telegram refused to {what}: {_said(exc)} (another program reads this "
                    f"bot's updates, or a webhook is set)"
                ) from None
            except error.TelegramError as exc:
                raise TelegramError(f"Telegram refused to {what}: {_said(exc)}") from None
            if attempt == self.attempts:
                break
            logging.getLogger(__name__).warning("cannot %s yet: %s", what, reason)
            self._sleep(wait)
        raise TelegramUnreachable(
            f"cannot {what} on Telegram after {self.attempts} tries: {reason}"
        )


async def _awaited(request: Callable[[], Awaitable[Any]]) -> Any:
    return await request()


def _seconds(exc: Any) -> float:
    with warnings.catch_warnings():  # the library warns that the type will change
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _said(exc: Any) -> str:
    return scrub_text(str(getattr(exc, "message", exc)))


def fit(text: str, limit: int = 4096) -> str:
    """Telegram refuses messages over 4,096 characters: cut, saying so."""
    cut = "\n… (cut to fit)"
    return text if len(text) <= limit else text[: limit - len(cut)] + cut


def _reply_markup(buttons: Sequence[Sequence[Button]], ask_reply: bool) -> Any:
    from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

    if ask_reply:
        return ForceReply(input_field_placeholder="the last four digits")
    if not buttons:
        return None  # an edit without a keyboard removes the one the message had
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons]
    )


def _incoming(update: Any) -> Incoming:
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        text = getattr(message, "text", None) or ""
        return Incoming(
            update_id=update.update_id,
            kind="tap",
            chat_id=message.chat.id if message is not None else None,
            user_id=query.from_user.id if query.from_user else None,
            text=query.data or "",
            message_id=message.message_id if message is not None else None,
            callback_id=query.id,
            message_text=text,
        )
    if update.message is not None:
        message = update.message
        return Incoming(
            update_id=update.update_id,
            kind="message",
            chat_id=message.chat.id,
            user_id=message.from_user.id if message.from_user else None,
            text=message.text or "",
            message_id=message.message_id,
            reply_to=message.reply_to_message.message_id if message.reply_to_message else None,
        )
    chat = update.effective_chat
    user = update.effective_user
    return Incoming(
        update_id=update.update_id,
        kind="other",
        chat_id=chat.id if chat else None,
        user_id=user.id if user else None,
    )
