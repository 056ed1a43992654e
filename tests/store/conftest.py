"""Real databases for the store tests: a SQLite file, and PostgreSQL when one is running.

Every test that takes ``database_url`` or ``store`` runs twice, once per backend.
On PostgreSQL each test gets a fresh schema of its own (the connection's
``search_path`` points at it, so Alembic's version table lands there too) and the
schema is dropped afterwards. Without a reachable server the PostgreSQL runs are
skipped, and the skip says why.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from trader.core.domain import (
    AccountInfo,
    AccountMode,
    AccountSnapshot,
    Fill,
    Order,
    Position,
    Side,
)
from trader.store import open_store

POSTGRES_SERVER = "127.0.0.1:5432"
POSTGRES_URLS = (
    f"postgresql+psycopg://postgres@{POSTGRES_SERVER}/test",
    f"postgresql+psycopg://root@{POSTGRES_SERVER}/test",
)


@pytest.fixture(scope="session")
def postgres_server() -> tuple[str | None, str]:
    """The first PostgreSQL URL that accepts us, or None and the reason none did."""
    reasons = []
    for url in POSTGRES_URLS:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return url, ""
        except SQLAlchemyError as exc:
            reasons.append(str(getattr(exc, "orig", exc)).strip().splitlines()[0])
        finally:
            engine.dispose()
    return None, "; ".join(reasons)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A URL to an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/trader.db"
        return
    server_url, reason = request.getfixturevalue("postgres_server")
    if server_url is None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_SERVER}: {reason}")
    schema = f"store_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{server_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(database_url):
    """A migrated store on each backend."""
    opened = open_store(database_url)
    yield opened
    opened.close()


T0 = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)


class Samples:
    """Domain values shaped like what the Alpaca adapter produces, with exact decimals:
    money in cents, quantities and prices to 9 decimals at most, as the store keeps them."""

    @staticmethod
    def account(**changes) -> AccountInfo:
        value = AccountInfo(
            account_id="b2c3d4e5-0000-4000-8000-000000000001",
            account_number="PA3K7QX2M9LD",
            status="ACTIVE",
            currency="USD",
            cash=Decimal("10234.56"),
            equity=Decimal("25000.12"),
            buying_power=Decimal("20469.12"),
            long_market_value=Decimal("14765.56"),
        )
        return replace(value, **changes)

    @staticmethod
    def position(symbol: str = "VTI", **changes) -> Position:
        value = Position(
            symbol=symbol,
            qty=Decimal("12.345678901"),
            avg_entry_price=Decimal("231.17"),
            current_price=Decimal("240.015"),
            market_value=Decimal("2963.15"),
            cost_basis=Decimal("2853.95"),
            unrealized_pl=Decimal("109.20"),
            asset_id=f"asset-{symbol}",
        )
        return replace(value, **changes)

    @staticmethod
    def order(order_id: str = "ord-1", **changes) -> Order:
        value = Order(
            order_id=order_id,
            client_order_id=f"trader-{order_id}",
            symbol="BND",
            side=Side.BUY,
            order_type="limit",
            time_in_force="day",
            status="new",
            qty=Decimal("3.5"),
            notional=None,
            filled_qty=Decimal("0"),
            filled_avg_price=None,
            limit_price=Decimal("72.41"),
            stop_price=None,
            submitted_at=T0 + timedelta(seconds=1),
            created_at=T0,
        )
        return replace(value, **changes)

    @staticmethod
    def fill(activity_id: str, minutes: int = 0, **changes) -> Fill:
        value = Fill(
            activity_id=activity_id,
            order_id="ord-9",
            symbol="VTI",
            side=Side.BUY,
            qty=Decimal("1.000000001"),
            price=Decimal("240.01"),
            transaction_time=T0 + timedelta(minutes=minutes),
            fill_type="fill",
            cum_qty=Decimal("1.000000001"),
            leaves_qty=Decimal("0"),
        )
        return replace(value, **changes)

    @classmethod
    def snapshot(cls, minutes: int = 0, **changes) -> AccountSnapshot:
        value = AccountSnapshot(
            account=cls.account(),
            positions=(cls.position("BND"), cls.position("VTI")),
            open_orders=(
                cls.order("ord-1"),
                cls.order("ord-2", side=Side.SELL, qty=None, notional=Decimal("500.25")),
            ),
            taken_at=T0 + timedelta(minutes=minutes),
            fills=(),
        )
        return replace(value, **changes)


@pytest.fixture
def samples() -> type[Samples]:
    return Samples


@pytest.fixture
def account_key(store, samples) -> int:
    return store.ensure_account(AccountMode.PAPER, samples.account())
