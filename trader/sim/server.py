"""The HTTP face of the sim: a stdlib ``ThreadingHTTPServer`` speaking Alpaca's REST dialect.

One server answers both alpaca-py clients (trading paths ``/v2/...`` and market
data ``/v2/stocks/...`` do not collide) and the sim's own ``/sim/...`` controls.
Every request is checked in this order: keys (401 with Alpaca's bodies), then
the injected faults and the rate limit (``/v2`` only), then the route. Each one
lands in the request log with its status and the sim time.

``SimServer`` wraps it for callers: ``start()`` serves from a daemon thread and
returns the base URL; ``serve_forever()`` serves in the foreground; as a context
manager it starts and stops itself.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from trader.sim import (
    handlers_corporate,
    handlers_data,
    handlers_reference,
    handlers_sim,
    handlers_trading,
)
from trader.sim.app import SimApp
from trader.sim.controls import Controls
from trader.sim.errors import CODE_UNAUTHORIZED, ApiError, not_found
from trader.sim.faults import REQUESTS_PER_MINUTE
from trader.sim.routing import Request, Response, Router

SIM_KEY_ID = "SIMKEY000000000000"
SIM_SECRET_KEY = "sim-secret-not-a-real-key"
LOGGER = logging.getLogger(__name__)
THREAD_POLL_SECONDS = 0.01  # the embedded (thread) server's poll; `trader sim serve` polls at 0.05


def _router() -> Router:
    router = Router()
    for module in (
        handlers_trading,
        handlers_reference,
        handlers_data,
        handlers_corporate,
        handlers_sim,
    ):
        module.register(router)
    return router


ROUTER = _router()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a request sleeping on injected latency must not hold up stop()
    app: SimApp


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the body waits for
    # the client's delayed ACK and every request costs 40 ms.
    disable_nagle_algorithm = True
    server: _HttpServer

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request log replaces the stderr access log

    def _authenticate(self, app: SimApp) -> str:
        key = self.headers.get("APCA-API-KEY-ID")
        secret = self.headers.get("APCA-API-SECRET-KEY")
        if not key or not secret:
            raise ApiError(401, "request is not authorized", CODE_UNAUTHORIZED)
        if key != app.key_id or secret != app.secret_key:
            raise ApiError(
                401, "access key verification failed : verification failure", CODE_UNAUTHORIZED
            )
        return key

    def _dispatch(self, app: SimApp, path: str, query: str, raw: bytes, headers: dict) -> Response:
        if not path.startswith(("/v2/", "/v1/", "/sim/")):
            raise not_found("endpoint not found")
        key = self._authenticate(app)
        if path.startswith(("/v2/", "/v1/")):
            admission = app.faults.admit(key)
            headers.update(admission.headers)
            if admission.delay:
                time.sleep(admission.delay)
            if admission.error is not None:
                raise admission.error
        handler, groups = ROUTER.resolve(self.command, path)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise ApiError(400, "request body is not valid JSON", 40010000) from None
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        return handler(app, Request(self.command, path, params, body, groups))

    def _handle(self) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        try:
            response = self._dispatch(app, path, parts.query, raw, headers)
        except ApiError as refusal:
            response = Response(refusal.status, refusal.body())
        except Exception:  # a bug in the sim: answer like Alpaca's 500 and keep serving
            LOGGER.exception("sim failed on %s %s", self.command, self.path)
            response = Response(500, {"code": 50010000, "message": "internal server error"})
        with app.reading() as state:
            sim_time = state.now.isoformat()
        entry = {
            "method": self.command,
            "path": path,
            "query": parts.query,
            "status": response.status,
            "sim_time": sim_time,
            "dropped": False,
        }
        if response.accepted_order and app.faults.take_drop():
            # The broker acted; the client never hears of it.
            entry["dropped"] = True
            app.faults.record(entry)
            self.close_connection = True
            return
        app.faults.record(entry)
        edit = app.faults.take_rewrite(path) if response.status < 300 else None
        if edit is not None and response.body is not None:
            response.body = edit(copy.deepcopy(response.body))
        self._write(response, headers, corrupt=app.faults.take_corruption(path))

    def _write(self, response: Response, headers: dict[str, str], corrupt: bool) -> None:
        payload = b""
        if response.body is not None and response.status != 204:
            payload = json.dumps(response.body, separators=(",", ":")).encode()
        if corrupt:
            payload = payload[: len(payload) // 2]  # a body cut short: not JSON any more
        try:
            self.send_response(response.status)
            for name, value in {**headers, **response.headers}.items():
                self.send_header(name, value)
            if response.status != 204:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a timeout test)


class SimServer:
    """Alpaca-compatible local paper broker; see the package docstring for the whole story."""

    def __init__(
        self,
        state_path: Path | None = None,
        scenario: str = "default",
        host: str = "127.0.0.1",
        port: int = 0,
        key_id: str = SIM_KEY_ID,
        secret_key: str = SIM_SECRET_KEY,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
    ) -> None:
        self.app = SimApp(state_path, scenario, key_id, secret_key, requests_per_minute)
        self.controls = Controls(self.app)
        self._address = (host, port)
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._serving = False  # shutdown() would wait forever on a loop that never ran
        self._stopped = threading.Event()

    def _bind(self) -> _HttpServer:
        if self._httpd is None:
            self._httpd = _HttpServer(self._address, _Handler)
            self._httpd.app = self.app
            self._stopped.clear()
        return self._httpd

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sim server is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Serve from a daemon thread; the base URL (no trailing slash, no /v2)."""
        httpd = self._bind()
        if self._thread is None:
            self._serving = True
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                # stop() waits for the loop's next poll: a command that ends by stopping
                # its embedded sim should not wait long for it.
                kwargs={"poll_interval": THREAD_POLL_SECONDS},
                daemon=True,
            )
            self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` or Ctrl-C."""
        httpd = self._bind()
        self._serving = True
        try:
            httpd.serve_forever(poll_interval=0.05)
        finally:
            self._stopped.set()

    def wait(self) -> None:
        """Block until the server is stopped (Ctrl-C interrupts the wait)."""
        while not self._stopped.wait(0.2):
            pass

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        if self._serving:
            httpd.shutdown()
            self._serving = False
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        httpd.server_close()
        self._stopped.set()

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
