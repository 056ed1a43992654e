"""Test controls: steer the sim's prices, clock and faults from Python (``server.controls``).

The same controls are reachable over HTTP under ``/sim/...`` (see ``handlers_sim``),
which is what a separate process such as a benchmark uses. Prices and the clock
move only through here; each change gives open orders their chance to trade.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from trader.sim import corporate, engine, transfers
from trader.sim import trading_calendar as cal
from trader.sim.app import SimApp
from trader.sim.assets import ASSETS
from trader.sim.glitch import Glitch


class Controls:
    def __init__(self, app: SimApp) -> None:
        self._app = app

    # -- prices and clock ---------------------------------------------------------------
    def set_prices(self, prices: Mapping[str, Decimal | str]) -> None:
        """Set current prices; open orders are re-checked at once.

        Prices of $1 or more are in whole cents (as Alpaca quotes them); below $1, four decimals.
        """
        parsed: dict[str, Decimal] = {}
        for symbol, value in prices.items():
            key = symbol.upper()
            if key not in ASSETS:
                raise ValueError(f"unknown symbol {symbol!r}")
            price = Decimal(str(value))
            if not price.is_finite() or price <= 0:
                raise ValueError(f"{key}: price must be positive, got {value!r}")
            step = Decimal("0.01") if price >= 1 else Decimal("0.0001")
            if price != price.quantize(step):
                raise ValueError(f"{key}: {value} has more decimals than a quote ({step})")
            parsed[key] = price
        with self._app.changing() as state:
            state.prices.update(parsed)
            self._app.process(state)

    def deposit(self, amount: Decimal | str) -> Decimal:
        """Add cash to the account, as a bank transfer arriving would; returns the new cash."""
        value = Decimal(str(amount))
        if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
            raise ValueError(f"deposit {amount!r}: expected a positive amount in cents")
        with self._app.changing() as state:
            state.cash += value
            return state.cash

    def withdraw(self, amount: Decimal | str) -> Decimal:
        """Take cash out of the account by a bank transfer (a CSW activity); the cash left."""
        with self._app.changing() as state:
            return transfers.withdraw(state, Decimal(str(amount)))

    def block_trading(self, blocked: bool = True) -> None:
        """Block (or unblock) trading on the account, as the broker may do."""
        with self._app.changing() as state:
            state.trading_blocked = bool(blocked)

    def set_margin(self, multiplier: Decimal, spread_pct: Decimal = Decimal(0)) -> None:
        """Make the account a margin account (multiplier 2 or 4) filling market orders at
        a quote ``spread_pct`` wide, or a cash account again (multiplier 1, no spread)."""
        if multiplier not in (1, 2, 4):
            raise ValueError(f"multiplier {multiplier}: expected 1, 2 or 4")
        if not Decimal(0) <= spread_pct <= Decimal(10):
            raise ValueError(f"spread {spread_pct}%: expected 0 to 10")
        with self._app.changing() as state:
            state.multiplier = Decimal(multiplier)
            state.spread_pct = Decimal(spread_pct)

    def set_data_plan(self, plan: str) -> None:
        """``free`` (SIP only 15 minutes late, like a new account) or ``unlimited``."""
        if plan not in ("free", "unlimited"):
            raise ValueError(f"data plan {plan!r}: expected free or unlimited")
        with self._app.changing() as state:
            state.data_plan = plan

    def glitch(
        self,
        symbol: str,
        latest: Decimal | str = "1",
        quote: Decimal | str = "1",
        bars_spike: Decimal | str = "1",
        every: int = 7,
    ) -> None:
        """Serve wrong market data for ``symbol`` (see ``trader.sim.glitch``); fills stay true."""
        key = symbol.upper()
        if key not in ASSETS:
            raise ValueError(f"unknown symbol {symbol!r}")
        made = Glitch(
            Decimal(str(latest)), Decimal(str(quote)), Decimal(str(bars_spike)), int(every)
        )
        with self._app.changing() as state:
            state.glitches[key] = made

    def glitch_off(self, symbol: str | None = None) -> None:
        """Clear the glitch of ``symbol``, or every glitch."""
        with self._app.changing() as state:
            if symbol is None:
                state.glitches.clear()
            else:
                state.glitches.pop(symbol.upper(), None)

    def now(self) -> datetime:
        with self._app.reading() as state:
            return cal.local(state.now)

    def advance(self, minutes: int = 0, days: int = 0) -> datetime:
        if minutes < 0 or days < 0:
            raise ValueError("the sim clock only moves forward")
        with self._app.changing() as state:
            target = state.now + timedelta(days=days, minutes=minutes)
            engine.advance_to(state, target, self._app.faults.ratios())
            return cal.local(state.now)

    def open_market(self) -> datetime:
        """Jump to the next open; nothing happens when the market is already open."""
        with self._app.changing() as state:
            if not cal.is_open(state.now):
                engine.advance_to(state, cal.next_open(state.now), self._app.faults.ratios())
            return cal.local(state.now)

    def close_market(self) -> datetime:
        """Jump to the close of the running session; nothing happens when already closed."""
        with self._app.changing() as state:
            running = cal.current_session(state.now)
            if running is not None:
                engine.advance_to(state, running.close, self._app.faults.ratios())
            return cal.local(state.now)

    # -- corporate actions ------------------------------------------------------------
    def split(self, symbol: str, new: Decimal | str, old: Decimal | str, day: date | None = None):  # type: ignore[no-untyped-def]
        """``old`` shares of ``symbol`` become ``new`` at the open of ``day`` (default:
        the sim's today); see ``trader.sim.corporate``."""
        with self._app.changing() as state:
            when = day or cal.local(state.now).date()
            return corporate.split(
                state, symbol.upper(), Decimal(str(new)), Decimal(str(old)), when
            )

    def dividend(self, symbol: str, per_share: Decimal | str, day: date | None = None) -> Decimal:
        """Pay a cash dividend of ``per_share`` on the shares held; the amount paid."""
        with self._app.changing() as state:
            when = day or cal.local(state.now).date()
            return corporate.dividend(state, symbol.upper(), Decimal(str(per_share)), when)

    def reset(self, scenario: str = "default") -> None:
        self._app.reset(scenario)

    # -- faults ---------------------------------------------------------------------------
    def fail_next(self, count: int, status: int = 500) -> None:
        self._app.faults.fail_next(count, status)

    def rate_limit(self, count: int, reset_in: float = 0.0) -> None:
        self._app.faults.rate_limit(count, reset_in)

    def latency(self, seconds: float, count: int = 1) -> None:
        self._app.faults.latency(seconds, count)

    def drop_after_accept(self, count: int = 1) -> None:
        self._app.faults.drop_after_accept(count)

    def corrupt_next(self, path: str, count: int = 1) -> None:
        """Cut short the next answer on ``path`` (e.g. "/v2/positions")."""
        self._app.faults.corrupt_next(path, count)

    def rewrite_next(self, path: str, edit: Callable[[Any], Any], count: int = 1) -> None:
        """Answer the next request on ``path`` with ``edit(body)``: well-formed JSON that
        says something wrong (a price of 0, ``"false"`` for a boolean...)."""
        self._app.faults.rewrite_next(path, edit, count)

    def set_fill_ratio(self, symbol: str, ratio: Decimal | str) -> None:
        """Market orders on ``symbol`` fill only this fraction until it is set back to 1."""
        if symbol.upper() not in ASSETS:
            raise ValueError(f"unknown symbol {symbol!r}")
        self._app.faults.set_fill_ratio(symbol, Decimal(str(ratio)))

    def clear_faults(self) -> None:
        self._app.faults.clear()

    # -- request log ------------------------------------------------------------------------
    def requests(self) -> list[dict[str, Any]]:
        """Each request seen: method, path, query, status, sim_time (and dropped)."""
        return self._app.faults.requests()

    def clear_requests(self) -> None:
        self._app.faults.clear_requests()
