"""Exact money and quantity helpers. Everything is ``Decimal``, built from strings."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Alpaca accepts at most 9 decimals on quantities.
QTY_STEP = Decimal("0.000000001")
# A cost per share worked out by division (an average) is kept to 9 decimals: exact
# enough for any sum of shares, and bounded, so what is derived from it stays storable.
PRICE_STEP = Decimal("0.000000001")


def to_decimal(value: object, *, field: str = "value") -> Decimal:
    """Parse a broker or config value into a Decimal; floats go through ``str`` first."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or value is None:
        raise ValueError(f"{field}: expected a number, got {value!r}")
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a number") from None
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raise ValueError(f"{field}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return result


def cents(amount: Decimal) -> Decimal:
    """Round money half-even to the cent, for showing or sending."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def dollars(amount: Decimal) -> str:
    """Money for people: ``-$1,234.57``, half-even to the cent."""
    value = cents(amount)
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def floor_qty(qty: Decimal, step: Decimal = QTY_STEP) -> Decimal:
    """Round a share quantity down to the broker's step."""
    return (
        qty.quantize(step, rounding=ROUND_DOWN) if step < 1 else qty.to_integral_value(ROUND_DOWN)
    )


def per_share(amount: Decimal, qty: Decimal) -> Decimal:
    """``amount`` dollars over ``qty`` shares, half-even to ``PRICE_STEP``."""
    return (amount / qty).quantize(PRICE_STEP, rounding=ROUND_HALF_EVEN)


def plain(value: Decimal) -> str:
    """A canonical string for a Decimal: no exponent, no trailing zeros past the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
