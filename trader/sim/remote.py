"""The sim's controls over HTTP: ``Controls``' methods, sent to a running server's ``/sim/...``.

``trader sim price`` and its siblings use it when a server already holds the account
(``trader sim serve`` on the same home, or the sim a paper account's URL points at):
the server's state is the one to change. A value the server refuses (its 422) is a
``ValueError`` with the server's message, as the in-process ``Controls`` raise it;
a server that cannot be reached is a :class:`SimUnreachable`, and one that answers
as no sim does (a 404, a refused key, no JSON) a :class:`NotASim`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trader.sim.state import SimSplit

TIMEOUT_SECONDS = 10.0


class SimUnreachable(Exception):
    """Nothing answered at the URL."""


class NotASim(Exception):
    """Something answered at the URL, but not as a trader sim with these keys does."""


class RemoteControls:
    """The controls of the sim serving at ``url`` (its base URL, without ``/v2``)."""

    def __init__(self, url: str, key_id: str, secret_key: str) -> None:
        self.url = url.rstrip("/")
        self._headers = {
            "APCA-API-KEY-ID": key_id,
            "APCA-API-SECRET-KEY": secret_key,
            "Content-Type": "application/json",
        }

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=self._headers
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as refusal:
            message = _message(refusal.read())
            if refusal.code == 422:
                raise ValueError(message) from None
            raise NotASim(
                f"{self.url} answered {method} {path} with HTTP {refusal.code} "
                f"({message}): not a trader sim, or not its keys"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SimUnreachable(f"no trader sim answers at {self.url} ({reason})") from None
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            raise NotASim(f"{self.url} answered {path} with no JSON: not a trader sim") from None

    def set_prices(self, prices: Mapping[str, Decimal | str]) -> None:
        self._send("POST", "/sim/prices", {k: str(v) for k, v in prices.items()})

    def deposit(self, amount: Decimal | str) -> Decimal:
        return Decimal(self._send("POST", "/sim/deposit", {"amount": str(amount)})["cash"])

    def withdraw(self, amount: Decimal | str) -> Decimal:
        return Decimal(self._send("POST", "/sim/withdraw", {"amount": str(amount)})["cash"])

    def block_trading(self, blocked: bool = True) -> None:
        self._send("POST", "/sim/account", {"trading_blocked": bool(blocked)})

    def set_margin(self, multiplier: Decimal, spread_pct: Decimal = Decimal(0)) -> None:
        self._send(
            "POST", "/sim/margin", {"multiplier": str(multiplier), "spread_pct": str(spread_pct)}
        )

    def glitch(
        self,
        symbol: str,
        latest: Decimal | str = "1",
        quote: Decimal | str = "1",
        bars_spike: Decimal | str = "1",
        every: int = 7,
    ) -> None:
        self._send(
            "POST",
            "/sim/glitch",
            {
                "symbol": symbol,
                "latest": str(latest),
                "quote": str(quote),
                "bars_spike": str(bars_spike),
                "every": every,
            },
        )

    def glitch_off(self, symbol: str | None = None) -> None:
        self._send("POST", "/sim/glitch", {"off": True, "symbol": symbol})

    def now(self) -> datetime:
        return _instant(self._send("GET", "/sim/clock"))

    def advance(self, minutes: int = 0, days: int = 0) -> datetime:
        return _instant(
            self._send("POST", "/sim/clock/advance", {"minutes": minutes, "days": days})
        )

    def open_market(self) -> datetime:
        return _instant(self._send("POST", "/sim/clock/open"))

    def close_market(self) -> datetime:
        return _instant(self._send("POST", "/sim/clock/close"))

    def split(
        self, symbol: str, new: Decimal | str, old: Decimal | str, day: date | None = None
    ) -> SimSplit:
        body = {"symbol": symbol, "new": str(new), "old": str(old)}
        if day is not None:
            body["date"] = day.isoformat()
        answer = self._send("POST", "/sim/split", body)
        return SimSplit(
            answer["symbol"],
            date.fromisoformat(answer["date"]),
            Decimal(answer["old"]),
            Decimal(answer["new"]),
        )

    def dividend(self, symbol: str, per_share: Decimal | str, day: date | None = None) -> Decimal:
        body = {"symbol": symbol, "per_share": str(per_share)}
        if day is not None:
            body["date"] = day.isoformat()
        return Decimal(self._send("POST", "/sim/dividend", body)["paid"])

    def reset(self, scenario: str = "default") -> None:
        self._send("POST", "/sim/reset", {"scenario": scenario})


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("message") or "no message")
    except (ValueError, AttributeError):
        return raw.decode("utf-8", "replace")[:200] or "no message"


def _instant(answer: Any) -> datetime:
    try:
        return datetime.fromisoformat(answer["now"])
    except (TypeError, KeyError, ValueError):
        raise NotASim(
            f"the clock answered {str(answer)[:80]!r}, not a time: not a trader sim"
        ) from None
