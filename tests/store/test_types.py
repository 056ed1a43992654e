"""Money and quantities come back with every digit; times come back aware, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text

from trader.errors import StorageError
from trader.store import open_store
from trader.store.types import ExactDecimal, UTCDateTime, canonical_decimal

EXACT_CASES = [
    Decimal("12345678901234.123456789"),
    Decimal("0.000000001"),
    Decimal("0.000000000000000001"),
    Decimal("99999999999999999999.999999999999999999"),
    Decimal("-99999999999999999999.999999999999999999"),
    Decimal("0.1"),
    Decimal("240.015"),
    Decimal("-109.198999968015"),
    Decimal("0"),
    Decimal("1E+5"),
]


@pytest.fixture
def scratch(store):
    """A throwaway table using the store's column types, on the store's database."""
    metadata = MetaData()
    table = Table(
        "scratch",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("amount", ExactDecimal()),
        Column("moment", UTCDateTime()),
    )
    metadata.create_all(store.engine)

    def round_trip(**values):
        with store.engine.begin() as connection:
            key = connection.execute(insert(table).values(**values)).inserted_primary_key[0]
            return connection.execute(select(table).where(table.c.id == key)).one()

    yield round_trip
    metadata.drop_all(store.engine)


@pytest.mark.parametrize("amount", EXACT_CASES, ids=str)
def test_a_decimal_keeps_every_digit(scratch, amount):
    stored = scratch(amount=amount).amount
    assert isinstance(stored, Decimal)
    assert stored == amount
    assert canonical_decimal(stored) == canonical_decimal(amount)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amount=st.decimals(
        min_value=Decimal("-99999999999999999999.999999999999999999"),
        max_value=Decimal("99999999999999999999.999999999999999999"),
        places=18,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_any_number_numeric_38_18_can_hold_round_trips(scratch, amount):
    assert scratch(amount=amount).amount == amount


def test_trailing_zeros_do_not_change_what_comes_back(scratch):
    assert str(scratch(amount=Decimal("1.500000")).amount) == "1.5"
    assert str(scratch(amount=Decimal("-0.000")).amount) == "0"


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (Decimal("0.0000000000000000001"), "more than 18 decimal places"),
        (Decimal("123456789012345678901"), "more than 20 digits before the point"),
        (Decimal("NaN"), "non-finite"),
        (Decimal("Infinity"), "non-finite"),
    ],
)
def test_a_number_that_would_be_rounded_is_refused(amount, problem):
    with pytest.raises(ValueError, match=problem):
        canonical_decimal(amount)


def test_a_float_is_refused():
    with pytest.raises(TypeError, match="expected a Decimal"):
        canonical_decimal(0.1)


def test_sqlite_keeps_decimals_as_text(tmp_path):
    """SQLite's NUMERIC affinity would go through a float; the value must be the exact string."""
    store = open_store(f"sqlite:///{tmp_path}/trader.db")
    metadata = MetaData()
    table = Table("raw", metadata, Column("amount", ExactDecimal()))
    metadata.create_all(store.engine)
    with store.engine.begin() as connection:
        connection.execute(insert(table).values(amount=Decimal("12345678901234.123456789")))
        raw = connection.execute(text("SELECT amount, typeof(amount) FROM raw")).one()
    store.close()
    assert tuple(raw) == ("12345678901234.123456789", "text")


def test_a_time_comes_back_aware_and_in_utc(scratch):
    new_york = timezone(timedelta(hours=-5))
    moment = datetime(2025, 3, 3, 9, 30, 0, 123456, tzinfo=new_york)
    stored = scratch(moment=moment).moment
    assert stored == moment
    assert stored.tzinfo is UTC
    assert stored == datetime(2025, 3, 3, 14, 30, 0, 123456, tzinfo=UTC)


def test_a_naive_time_is_refused(scratch):
    with pytest.raises(Exception, match="naive datetime") as caught:
        scratch(moment=datetime(2025, 3, 3, 9, 30))
    assert not isinstance(caught.value, StorageError)  # raw engine use: SQLAlchemy's own error


def test_times_compare_in_utc_in_queries(store, samples, account_key):
    """Sorting and comparing stored times works across offsets (SQLite compares the text)."""
    early = samples.fill("a-1", transaction_time=datetime(2025, 3, 3, 23, 0, tzinfo=UTC))
    later_but_earlier_wall_clock = samples.fill(
        "a-2", transaction_time=datetime(2025, 3, 4, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    )
    # 01:00+05:00 is 20:00 UTC the day before: the older of the two.
    store.record_sync(account_key, samples.snapshot(fills=(early, later_but_earlier_wall_clock)))
    assert [f.activity_id for f in store.fills(account_key)] == ["a-2", "a-1"]
    assert store.last_fill_id(account_key) == "a-1"
