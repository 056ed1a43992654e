"""The checks every value from the broker passes where it enters, before it is a domain value.

Nothing is trusted as it arrives (the adapter reads raw JSON, so alpaca-py's models
cannot coerce ``"false"`` into a truth):
- a price is positive, finite and between ``MIN_PRICE`` and ``MAX_PRICE``;
- a quantity is 0 or more (above 0 where it must be), has at most Alpaca's 9 decimals
  and is below a billion shares;
- an amount of money is finite and below a trillion dollars (0 or more where a
  negative one means nothing);
- a boolean is a JSON boolean;
- a symbol matches Alpaca's grammar, and one that does not is shown escaped.

Each failure is a ``ValueError`` naming the field, which the adapter turns into
``MalformedResponse`` (exit 7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from trader.core.money import to_decimal

# Sane ranges: Alpaca quotes prices under $1 to 1/100 of a cent; no listed share costs
# ten million dollars, no account holds a billion shares of one or a trillion dollars.
MIN_PRICE = Decimal("0.0001")
MAX_PRICE = Decimal("10000000")
MAX_QUANTITY = Decimal("1000000000")
QUANTITY_PLACES = 9
MAX_AMOUNT = Decimal("1000000000000")
# Alpaca's symbols: stocks (BRK.B), OCC options, crypto pairs (BTC/USD).
_SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9./-]{0,31}")


def number(value: Any, field: str) -> Decimal:
    if value is None:
        raise ValueError(f"{field} is missing")
    return to_decimal(value, field=field)


def number_opt(value: Any, field: str) -> Decimal | None:
    return None if value in (None, "") else to_decimal(value, field=field)


def checked_price(value: Decimal, field: str) -> Decimal:
    if not MIN_PRICE <= value <= MAX_PRICE:
        raise ValueError(
            f"{field}: price {value} is outside the sane range {MIN_PRICE} to {MAX_PRICE}"
        )
    return value


def price(value: Any, field: str) -> Decimal:
    return checked_price(number(value, field), field)


def price_opt(value: Any, field: str) -> Decimal | None:
    parsed = number_opt(value, field)
    return None if parsed is None else checked_price(parsed, field)


def checked_quantity(value: Decimal, field: str, *, positive: bool = False) -> Decimal:
    if value < 0 or (positive and value == 0) or value >= MAX_QUANTITY:
        low = "above 0" if positive else "0 or more"
        raise ValueError(f"{field}: quantity {value} is not {low} and below {MAX_QUANTITY:,}")
    if -value.as_tuple().exponent > QUANTITY_PLACES:  # type: ignore[operator]
        raise ValueError(f"{field}: quantity {value} has more than {QUANTITY_PLACES} decimals")
    return value


def quantity(value: Any, field: str, *, positive: bool = False) -> Decimal:
    return checked_quantity(number(value, field), field, positive=positive)


def quantity_opt(value: Any, field: str, *, positive: bool = False) -> Decimal | None:
    parsed = number_opt(value, field)
    return None if parsed is None else checked_quantity(parsed, field, positive=positive)


def checked_amount(value: Decimal, field: str, *, signed: bool = True) -> Decimal:
    if abs(value) >= MAX_AMOUNT or (not signed and value < 0):
        sign = "" if signed else "0 or more and "
        raise ValueError(f"{field}: amount {value} is not {sign}below ${MAX_AMOUNT:,}")
    return value


def amount(value: Any, field: str, *, signed: bool = True) -> Decimal:
    return checked_amount(number(value, field), field, signed=signed)


def amount_opt(value: Any, field: str, *, signed: bool = True) -> Decimal | None:
    parsed = number_opt(value, field)
    return None if parsed is None else checked_amount(parsed, field, signed=signed)


def flag(raw: Mapping[str, Any], name: str, field: str, default: bool = False) -> bool:
    """A JSON boolean: ``"false"`` (true to Python) or ``0`` is not one."""
    value = raw.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is not a JSON boolean (true or false)")
    return value


def valid_symbol(symbol: str) -> bool:
    """Whether ``symbol`` is in Alpaca's grammar (upper-case letters, digits, ``. / -``)."""
    return _SYMBOL.fullmatch(symbol) is not None


def shown(symbol: str) -> str:
    """A symbol safe to print: control and non-ASCII characters escaped."""
    return symbol if valid_symbol(symbol) else ascii(symbol)[1:-1]
