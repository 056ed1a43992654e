"""Fault injection, rate limiting and the request log: how the sim misbehaves on purpose.

Faults apply to Alpaca paths (``/v2/...``) only, never to the sim's own ``/sim``
controls, and they live in memory (a state file does not carry them over):

- ``fail_next(n, status)``: the next n requests answer ``status`` with an
  Alpaca-shaped body;
- ``rate_limit(n)``: the next n requests answer 429 "rate limit exceeded";
- ``latency(seconds, count)``: the next ``count`` requests wait before answering;
- ``drop_after_accept(n)``: the next n accepted order submissions are carried out
  but the connection is closed with no answer at all;
- ``corrupt_next(path)``: the next answer on ``path`` is cut short (invalid JSON);
- ``rewrite_next(path, edit)``: the next answer on ``path`` is valid JSON, but the
  body ``edit`` returns (a bad price, a string for a boolean...): in-process tests only;
- fill ratios per symbol (used by the engine, see ``engine``).

Besides the injected 429s, each key gets Alpaca's real budget of 200 requests a
minute, counted in real time (a rate limit is about the caller's pace, not the
sim's market clock), and every answer carries the ``X-Ratelimit-*`` headers.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from trader.sim.errors import CODE_RATE_LIMITED, ApiError

REQUESTS_PER_MINUTE = 200
LOG_LIMIT = 20_000
_MESSAGES = {
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}


@dataclass(frozen=True, slots=True)
class Admission:
    """What to do with one request before routing it."""

    delay: float
    error: ApiError | None
    headers: dict[str, str]


class Faults:
    """Thread-safe fault switches and counters (its own lock: checks happen outside the state lock)."""

    def __init__(self, requests_per_minute: int = REQUESTS_PER_MINUTE) -> None:
        self._lock = threading.Lock()
        self.requests_per_minute = requests_per_minute
        self._windows: dict[str, tuple[float, int]] = {}
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.fill_ratios: dict[str, Decimal] = {}
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self.fail_count = 0
            self.fail_status = 500
            self.rate_limited = 0
            self.rate_limit_reset_in = 0.0
            self.latency_seconds = 0.0
            self.latency_count = 0
            self.drop_count = 0
            self.corrupt_paths: dict[str, int] = {}
            self.rewrites: dict[str, list[Callable[[Any], Any]]] = {}
            self.fill_ratios.clear()

    # -- switches -------------------------------------------------------------------
    def fail_next(self, count: int, status: int = 500) -> None:
        if not 400 <= status <= 599:
            raise ValueError("fail_next needs an HTTP error status (400-599)")
        with self._lock:
            self.fail_count, self.fail_status = max(int(count), 0), int(status)

    def rate_limit(self, count: int, reset_in: float = 0.0) -> None:
        """The next ``count`` requests answer 429, their ``X-Ratelimit-Reset`` saying the
        window resets ``reset_in`` seconds from the moment each is answered."""
        with self._lock:
            self.rate_limited = max(int(count), 0)
            self.rate_limit_reset_in = max(float(reset_in), 0.0)

    def latency(self, seconds: float, count: int = 1) -> None:
        with self._lock:
            self.latency_seconds, self.latency_count = max(float(seconds), 0.0), max(int(count), 0)

    def drop_after_accept(self, count: int) -> None:
        with self._lock:
            self.drop_count = max(int(count), 0)

    def corrupt_next(self, path: str, count: int = 1) -> None:
        with self._lock:
            self.corrupt_paths[path] = self.corrupt_paths.get(path, 0) + max(int(count), 0)

    def rewrite_next(self, path: str, edit: Callable[[Any], Any], count: int = 1) -> None:
        with self._lock:
            self.rewrites.setdefault(path, []).extend([edit] * max(int(count), 0))

    def set_fill_ratio(self, symbol: str, ratio: Decimal) -> None:
        if not Decimal(0) <= ratio <= Decimal(1):
            raise ValueError("a fill ratio is between 0 and 1")
        with self._lock:
            if ratio == 1:
                self.fill_ratios.pop(symbol.upper(), None)
            else:
                self.fill_ratios[symbol.upper()] = ratio

    # -- per request ----------------------------------------------------------------
    def _budget(self, key: str) -> tuple[int, int]:
        """Count one request against the key's minute; (remaining, reset epoch seconds)."""
        now = time.monotonic()
        started, used = self._windows.get(key, (now, 0))
        if now - started >= 60:
            started, used = now, 0
        used += 1
        self._windows[key] = (started, used)
        reset = int(time.time() + 60 - (now - started))
        return self.requests_per_minute - used, reset

    def admit(self, key: str) -> Admission:
        """Decide the fate of one authenticated ``/v2`` request."""
        with self._lock:
            remaining, reset = self._budget(key)
            headers = {
                "X-Ratelimit-Limit": str(self.requests_per_minute),
                "X-Ratelimit-Remaining": str(max(remaining, 0)),
                "X-Ratelimit-Reset": str(reset),
            }
            delay = 0.0
            if self.latency_count > 0:
                self.latency_count -= 1
                delay = self.latency_seconds
            error = None
            if self.rate_limited > 0 or remaining < 0:
                if self.rate_limited > 0:
                    self.rate_limited -= 1
                    headers["X-Ratelimit-Reset"] = str(int(time.time() + self.rate_limit_reset_in))
                headers["X-Ratelimit-Remaining"] = "0"
                error = ApiError(429, "rate limit exceeded", CODE_RATE_LIMITED)
            elif self.fail_count > 0:
                self.fail_count -= 1
                status = self.fail_status
                message = _MESSAGES.get(status, "injected failure")
                error = ApiError(status, message, status * 100000)
            return Admission(delay, error, headers)

    def take_drop(self) -> bool:
        with self._lock:
            if self.drop_count > 0:
                self.drop_count -= 1
                return True
            return False

    def take_corruption(self, path: str) -> bool:
        with self._lock:
            left = self.corrupt_paths.get(path, 0)
            if left > 0:
                self.corrupt_paths[path] = left - 1
                return True
            return False

    def take_rewrite(self, path: str) -> Callable[[Any], Any] | None:
        with self._lock:
            edits = self.rewrites.get(path)
            return edits.pop(0) if edits else None

    def ratios(self) -> dict[str, Decimal]:
        with self._lock:
            return dict(self.fill_ratios)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.log.append(entry)

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self.log]

    def clear_requests(self) -> None:
        with self._lock:
            self.log.clear()
