"""The one place where alpaca-py's and requests' exceptions become the project's error tree.

alpaca-py raises ``APIError`` for every HTTP error, whose ``.code`` and
``.message`` themselves raise when the body is not JSON (market-data errors
often carry only ``message``); requests raises its own exceptions for timeouts
and dropped connections; pydantic raises when a body does not fit alpaca-py's
models. Everything is mapped here, so callers only ever see a ``TraderError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from alpaca.common.exceptions import APIError
from pydantic import ValidationError

from trader.core.domain import OrderRequest
from trader.core.money import plain
from trader.errors import (
    AuthenticationError,
    BrokerError,
    BrokerTimeout,
    BrokerUnreachable,
    MalformedResponse,
    NotFound,
    OrderRejected,
    TemporaryBrokerError,
    TraderError,
)

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _body(error: APIError) -> tuple[int | None, str]:
    """The broker's code and message, whatever shape the body has."""
    text = str(error)
    try:
        payload = json.loads(text)
    except ValueError:
        return None, text.strip()[:200] or "no message"
    if not isinstance(payload, dict):
        return None, text.strip()[:200]
    code = payload.get("code")
    message = payload.get("message") or payload.get("error") or text
    return (code if isinstance(code, int) else None), str(message)


def translate(exc: BaseException, action: str, order: OrderRequest | None = None) -> TraderError:
    """Map one exception raised while doing ``action`` to the project's error tree."""
    if isinstance(exc, TraderError):
        return exc
    if isinstance(exc, APIError):
        status = exc.status_code
        code, message = _body(exc)
        if status == 401:
            return AuthenticationError(
                f"{action}: the broker refused the API keys ({message})", status, code
            )
        if status in RETRYABLE_STATUSES:
            return TemporaryBrokerError(
                f"{action}: broker answered {status}: {message}",
                status,
                code,
                retry_at=_reset_time(exc) if status == 429 else None,
            )
        if order is not None and status in (403, 422):
            return OrderRejected(
                message,
                symbol=order.symbol,
                side=order.side.value,
                qty=plain(order.qty) if order.qty is not None else f"${plain(order.notional or 0)}",
                status=status,
                code=code,
            )
        if status == 404:
            return NotFound(f"{action}: {message}", status, code)
        if status == 403:
            return BrokerError(f"{action}: forbidden: {message}", status, code)
        return BrokerError(f"{action}: broker answered {status}: {message}", status, code)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return BrokerUnreachable(f"{action}: broker unreachable (connection timed out)")
    if isinstance(exc, requests.exceptions.Timeout):
        return BrokerTimeout(f"{action}: the broker did not answer in time")
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = str(exc)
        if "NewConnectionError" in reason or "Failed to resolve" in reason or "refused" in reason:
            return BrokerUnreachable(f"{action}: broker unreachable ({_short_reason(reason)})")
        return TemporaryBrokerError(f"{action}: the connection dropped before the broker answered")
    if isinstance(exc, ValidationError | ValueError | KeyError | TypeError):
        return MalformedResponse(
            f"{action}: unexpected answer from the broker: {_short_reason(str(exc))}"
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return TemporaryBrokerError(f"{action}: request failed: {_short_reason(str(exc))}")
    raise exc


def _reset_time(error: APIError) -> float | None:
    """When a 429's rate-limit window resets: ``X-RateLimit-Reset``, Unix seconds."""
    response = error.response
    value = response.headers.get("X-RateLimit-Reset") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _short_reason(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "unknown reason"
    if "Connection refused" in text:
        return "connection refused"
    if "NameResolutionError" in text or "Failed to resolve" in text:
        return "the host name does not resolve"
    return first[:160]


@contextmanager
def translated(action: str, order: OrderRequest | None = None) -> Iterator[None]:
    """Run a block whose exceptions are translated into the project's error tree."""
    try:
        yield
    except (
        APIError,
        requests.exceptions.RequestException,
        ValidationError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:
        raise translate(exc, action, order) from None


__all__ = ["BrokerError", "RETRYABLE_STATUSES", "translate", "translated"]
