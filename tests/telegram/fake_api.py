"""A fake Telegram Bot API server on loopback, speaking Telegram's JSON shapes.

It serves ``/bot<token>/<method>`` for getMe, getUpdates, sendMessage,
editMessageText, answerCallbackQuery and setMyCommands, reading the form or JSON
bodies the Bot API accepts. Updates are queued by the test (a user's message, a tap
on a button) and kept until a ``getUpdates`` with a higher offset acknowledges them,
as Telegram does. Faults: the next calls of a method answer an error (429 with
``retry_after``, 5xx), drop the connection, or wait until the test releases them.
Every call is recorded with its parameters.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TOKEN = "123456789:AAtest-token_for-the-fake-server0123"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "trader", "username": "trader_bot"}
STRING_FIELDS = {"text", "callback_query_id", "data"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_update = 1000
        self._next_message = 1
        self._faults: dict[str, list[tuple[str, Any]]] = {}
        self._lock = threading.Condition()
        self.held = threading.Event()  # set when a blocked call has arrived
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- what users do ---------------------------------------------------------------------
    def say(
        self, chat_id: int, text: str, *, user_id: int | None = None, reply_to: int | None = None
    ) -> int:
        """A user sends ``text`` in ``chat_id``; the update's id."""
        with self._lock:
            message: dict[str, Any] = {
                "message_id": self._new_message_id(),
                "date": int(time.time()),
                "chat": _chat(chat_id),
                "from": _user(user_id or chat_id),
                "text": text,
            }
            if text.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
                ]
            if reply_to is not None:
                message["reply_to_message"] = self.messages[(chat_id, reply_to)]
            return self._queue({"message": message})

    def tap(self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None) -> int:
        """A user taps the button carrying ``data`` on a message in ``chat_id``."""
        with self._lock:
            message = self.messages.get((chat_id, message_id)) or {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": _chat(chat_id),
                "text": "a message the bot never sent here",
            }
            query = {
                "id": f"cq{self._next_update}",
                "from": _user(user_id or chat_id),
                "message": message,
                "chat_instance": f"ci{chat_id}",
                "data": data,
            }
            return self._queue({"callback_query": query})

    # -- faults ----------------------------------------------------------------------------
    def fail(
        self, method: str, status: int = 500, retry_after: int | None = None, count: int = 1
    ) -> None:
        with self._lock:
            self._faults.setdefault(method, []).extend([("fail", (status, retry_after))] * count)

    def drop(self, method: str, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` lose their connection without an answer."""
        with self._lock:
            self._faults.setdefault(method, []).extend([("drop", None)] * count)

    def block(self, method: str, skip: int = 0) -> None:
        """The (skip+1)-th call of ``method`` from now waits until ``release`` is set
        (``held`` says it came); the calls before it are answered."""
        with self._lock:
            self._faults.setdefault(method, []).extend([("pass", None)] * skip + [("block", None)])

    # -- what the bot did ------------------------------------------------------------------
    def sent(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def offsets(self) -> list[int | None]:
        return [c.params.get("offset") for c in self.calls if c.method == "getUpdates"]

    def last_message(self, chat_id: int) -> dict[str, Any]:
        ours = [
            m
            for (chat, _), m in self.messages.items()
            if chat == chat_id and "from" in m and m["from"]["is_bot"]
        ]
        return ours[-1]

    # -- the server --------------------------------------------------------------------------
    def _queue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update
        self._next_update += 1
        self.updates.append({"update_id": update_id, **body})
        self._lock.notify_all()
        return update_id

    def _new_message_id(self) -> int:
        number = self._next_message
        self._next_message += 1
        return number

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        prefix = f"/bot{self.token}/"
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if not path.startswith(prefix):
            self._answer(
                handler, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            return
        method = path[len(prefix) :]
        params = _params(raw, handler.headers.get("Content-Type", ""))
        with self._lock:
            self.calls.append(Call(method, params))
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else None
        if fault is not None:
            kind, detail = fault
            if kind == "drop":
                handler.close_connection = True
                handler.connection.close()
                return
            if kind == "block":
                self.held.set()
                self.release.wait(60)
            if kind == "fail":
                status, retry_after = detail
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": status,
                    "description": "Fake failure",
                }
                if retry_after is not None:
                    body["description"] = f"Too Many Requests: retry after {retry_after}"
                    body["parameters"] = {"retry_after": retry_after}
                self._answer(handler, status, body)
                return
        result = self._method(method, params)
        if isinstance(result, tuple):
            self._answer(handler, result[0], result[1])
        else:
            self._answer(handler, 200, {"ok": True, "result": result})

    def _method(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("setMyCommands", "deleteWebhook"):
            return True
        if method == "answerCallbackQuery":
            return True
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            with self._lock:
                chat = int(params["chat_id"])
                message = {
                    "message_id": self._new_message_id(),
                    "date": int(time.time()),
                    "chat": _chat(chat),
                    "from": BOT_USER,
                    "text": params["text"],
                }
                if "reply_markup" in params:
                    message["reply_markup"] = params["reply_markup"]
                self.messages[(chat, message["message_id"])] = message
                return message
        if method == "editMessageText":
            with self._lock:
                key = (int(params["chat_id"]), int(params["message_id"]))
                message = self.messages.get(key)
                if message is None:
                    return 400, {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: message to edit not found",
                    }
                if message["text"] == params["text"] and message.get("reply_markup") == params.get(
                    "reply_markup"
                ):
                    return 400, {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: message is not modified",
                    }
                message["text"] = params["text"]
                message.pop("reply_markup", None)
                if "reply_markup" in params:
                    message["reply_markup"] = params["reply_markup"]
                message["edit_date"] = int(time.time())
                return message
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        timeout = min(float(params.get("timeout") or 0), 2.0)  # tests never wait long
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset is not None:  # acknowledges every update before it
                self.updates = [u for u in self.updates if u["update_id"] >= int(offset)]
            while not self.updates and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self.updates[: int(params.get("limit") or 100)])

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:  # the bot was killed while this call was held
            handler.close_connection = True


def _params(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    params: dict[str, Any] = {}
    for name, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        value = values[-1]
        if name in STRING_FIELDS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": "a group"}
    return {"id": chat_id, "type": "private", "first_name": "Pat"}


def _user(user_id: int) -> dict[str, Any]:
    return {"id": abs(user_id), "is_bot": False, "first_name": "Pat"}


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A message's inline buttons: text -> callback data."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}
