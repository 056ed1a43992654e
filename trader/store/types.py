"""Column types that keep money exact and times in UTC on every backend.

``ExactDecimal`` is ``NUMERIC(38, 18)`` on PostgreSQL and ``TEXT`` on SQLite.
SQLite's own NUMERIC affinity converts through a binary float and silently loses
digits (``12345678901234.123456789`` comes back as ``12345678901234.123``), so
there the value is stored as its canonical plain string instead. Either way the
value returned is a ``Decimal`` equal to the one written, and a value that would
not fit ``NUMERIC(38, 18)`` is refused on both backends rather than rounded on
one of them. (Text decimals do not sort numerically on SQLite: never
``ORDER BY`` a money column.)

What a column holds decides how finely it is kept, and the column rounds what is
written to it (half-even), so that no amount worked out exactly elsewhere (an average
cost, a gain over a third of a share) can stop a write: money is kept to the cent,
quantities to Alpaca's 9 decimals, prices (dollars per share) to 9 decimals too.
An ``ExactDecimal`` without a step (scores, percentages) keeps what it is given, up
to 18 decimals. ``tables`` gives each column its step.

``UTCDateTime`` accepts only timezone-aware datetimes and always returns them
aware, in UTC. PostgreSQL keeps ``timestamptz`` natively; SQLite has no time
zone type, so the UTC wall time is stored (in SQLAlchemy's sortable ISO format)
and UTC is attached again on the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from trader.core.money import plain

PRECISION = 38
SCALE = 18
_MAX_INTEGER_DIGITS = PRECISION - SCALE
# Wide enough that quantizing anything NUMERIC(38, 18) can hold never overflows.
_ROUNDING = Context(prec=PRECISION + 2, rounding=ROUND_HALF_EVEN)


def canonical_decimal(value: Decimal) -> str:
    """The plain string stored for ``value``; refuses what NUMERIC(38, 18) cannot hold."""
    if not isinstance(value, Decimal):
        raise TypeError(f"expected a Decimal, got {type(value).__name__}: {value!r}")
    if not value.is_finite():
        raise ValueError(f"cannot store the non-finite number {value}")
    text = plain(value)
    digits = text.lstrip("-")
    integer, _, fraction = digits.partition(".")
    if len(fraction) > SCALE:
        raise ValueError(f"{text} has more than {SCALE} decimal places")
    if len(integer.lstrip("0")) > _MAX_INTEGER_DIGITS:
        raise ValueError(f"{text} has more than {_MAX_INTEGER_DIGITS} digits before the point")
    return "0" if text == "-0" else text


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored without losing a digit: NUMERIC(38, 18), or TEXT on SQLite.

    With a ``step`` (``CENT``, ``QTY_STEP``, ``PRICE_STEP``) a value is first rounded
    half-even to it: the column's own precision, the same on both backends.
    """

    impl = Numeric(PRECISION, SCALE, asdecimal=True)
    cache_ok = True

    def __init__(self, step: Decimal | None = None) -> None:
        super().__init__()
        self.step = step

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if (
            self.step is not None
            and isinstance(value, Decimal)
            and value.is_finite()
            and value.adjusted() < _MAX_INTEGER_DIGITS  # else refused as too large below
        ):
            value = value.quantize(self.step, context=_ROUNDING)
        text = canonical_decimal(value)
        return text if dialect.name == "sqlite" else Decimal(text)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # PostgreSQL pads to the column's scale (1.5 -> 1.500000000000000000);
        # return the same canonical value on both backends.
        return Decimal(plain(Decimal(str(value))))


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored and returned in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store the naive datetime {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
