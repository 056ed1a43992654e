"""The sim state as a JSON file, so an account outlives one process (``trader sim`` commands).

Decimals are stored as strings and instants as ISO 8601 with their offset, so a
round trip keeps every digit. Saving writes a temporary file next to the target
and renames it over the old one: a crash mid-save leaves the previous state whole.
(No fsync: the rename is what keeps a file whole, and a sim has no use for
surviving a power cut at the price of slowing every order.) A file that cannot be read back is an error naming the file, never a silent reset.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trader.sim.glitch import Glitch
from trader.sim.state import (
    FillActivity,
    NonTradeActivity,
    Order,
    Position,
    SimSplit,
    SimState,
)

FORMAT_VERSION = 1
_DECIMAL_FIELDS = {
    "qty",
    "notional",
    "limit_price",
    "stop_price",
    "trail_percent",
    "trail_price",
    "hwm",
    "filled_qty",
    "filled_avg_price",
    "resolved_qty",
    "price",
    "cum_qty",
    "leaves_qty",
    "avg_entry_price",
    "net_amount",
    "per_share_amount",
    "old",
    "new",
}
_DATE_FIELDS = {"date", "day"}
_TIME_FIELDS = {
    "created_at",
    "submitted_at",
    "updated_at",
    "filled_at",
    "canceled_at",
    "expired_at",
    "transaction_time",
}


def _encode_record(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):  # a datetime too
            value = value.isoformat()
        out[item.name] = value
    return out


def _decode_record(kind: type, raw: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if value is not None and name in _DECIMAL_FIELDS:
            value = Decimal(value)
        elif value is not None and name in _TIME_FIELDS:
            value = datetime.fromisoformat(value)
        elif value is not None and name in _DATE_FIELDS:
            value = date.fromisoformat(value)
        values[name] = value
    return kind(**values)


def _prices(raw: dict[str, str]) -> dict[str, Decimal]:
    return {symbol: Decimal(value) for symbol, value in raw.items()}


def to_json(state: SimState) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "scenario": state.scenario,
        "now": state.now.isoformat(),
        "anchor": state.anchor.isoformat(),
        "created_at": state.created_at.isoformat(),
        "cash": str(state.cash),
        "counter": state.counter,
        "trading_blocked": state.trading_blocked,
        "data_plan": state.data_plan,
        "multiplier": str(state.multiplier),
        "spread_pct": str(state.spread_pct),
        "prices": {s: str(p) for s, p in state.prices.items()},
        "anchor_prices": {s: str(p) for s, p in state.anchor_prices.items()},
        "positions": [_encode_record(p) for p in state.positions.values()],
        "orders": [_encode_record(o) for o in state.orders.values()],
        "client_order_ids": state.client_order_ids,
        "activities": [_encode_record(a) for a in state.activities],
        "non_trade": [_encode_record(a) for a in state.non_trade],
        "splits": [_encode_record(s) for s in state.splits],
        "foreign_positions": state.foreign_positions,
        "foreign_orders": state.foreign_orders,
        "glitches": {s: g.to_json() for s, g in state.glitches.items()},
        "recorded_closes": {
            day: {s: str(p) for s, p in closes.items()}
            for day, closes in state.recorded_closes.items()
        },
    }


def from_json(raw: dict[str, Any]) -> SimState:
    if raw.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported state format {raw.get('format')!r}")
    if str(raw.get("scenario", "")).startswith("stocks-"):
        from trader.sim.assets import add_synthetic_stocks

        add_synthetic_stocks()
    positions = [_decode_record(Position, p) for p in raw["positions"]]
    orders = [_decode_record(Order, o) for o in raw["orders"]]
    return SimState(
        scenario=raw["scenario"],
        now=datetime.fromisoformat(raw["now"]),
        anchor=date.fromisoformat(raw["anchor"]),
        created_at=datetime.fromisoformat(raw["created_at"]),
        cash=Decimal(raw["cash"]),
        counter=int(raw["counter"]),
        trading_blocked=bool(raw.get("trading_blocked", False)),
        data_plan=str(raw.get("data_plan", "free")),
        multiplier=Decimal(raw.get("multiplier", "1")),
        spread_pct=Decimal(raw.get("spread_pct", "0")),
        prices=_prices(raw["prices"]),
        anchor_prices=_prices(raw["anchor_prices"]),
        positions={p.symbol: p for p in positions},
        orders={o.id: o for o in orders},
        client_order_ids=dict(raw["client_order_ids"]),
        activities=[_decode_record(FillActivity, a) for a in raw["activities"]],
        non_trade=[_decode_record(NonTradeActivity, a) for a in raw.get("non_trade", [])],
        splits=[_decode_record(SimSplit, s) for s in raw.get("splits", [])],
        foreign_positions=list(raw.get("foreign_positions", [])),
        foreign_orders=list(raw.get("foreign_orders", [])),
        glitches={s: Glitch.from_json(g) for s, g in raw.get("glitches", {}).items()},
        recorded_closes={day: _prices(c) for day, c in raw["recorded_closes"].items()},
    )


def load(path: Path) -> SimState:
    """Read a state file; a ``ValueError`` naming the file if it is not a sim state."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        return from_json(raw)
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(
            f"sim state file {path} is corrupt ({exc.__class__.__name__}: {exc}); "
            "delete it or run 'trader sim reset' to start over"
        ) from None


def save(state: SimState, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_json(state), indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
