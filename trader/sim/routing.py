"""Requests, responses and the route table the HTTP layer dispatches on.

Handlers are plain functions ``(app, request) -> Response``; they know nothing of
sockets. A route is a method and a regular expression over the path; its groups
become ``request.groups``. Query parameters arrive as strings (the last value wins
when one is repeated), as Alpaca reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trader.sim.errors import CODE_BAD_REQUEST, ApiError, not_found
from trader.sim.serialize import parse_instant


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Any = None
    groups: tuple[str, ...] = ()

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ApiError(422, f"invalid {name}: {value}", CODE_BAD_REQUEST) from None
        if number < low:
            raise ApiError(422, f"{name} must be >= {low}", CODE_BAD_REQUEST)
        return min(number, high)

    def instant(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse_instant(value)
        except ValueError:
            raise ApiError(422, f"invalid {name}: {value}", CODE_BAD_REQUEST) from None

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = (self.text(name) or default).lower()
        if value not in allowed:
            raise ApiError(422, f"invalid {name}: {value}", CODE_BAD_REQUEST)
        return value

    def symbols(self, name: str = "symbols") -> list[str]:
        value = self.text(name) or ""
        return [s.strip().upper() for s in value.split(",") if s.strip()]


@dataclass(slots=True)
class Response:
    status: int = 200
    body: Any = None  # anything json.dumps takes; None with 204 means no body at all
    headers: dict[str, str] = field(default_factory=dict)
    # Set by the order submission handler: a candidate for drop_after_accept.
    accepted_order: bool = False


Handler = Callable[[Any, Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
        allowed = False
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            if route_method == method:
                return handler, match.groups()
            allowed = True
        if allowed:
            raise ApiError(405, "method not allowed", 40510000)
        raise not_found("endpoint not found")
