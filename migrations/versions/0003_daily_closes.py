"""Daily closes cached for ``trader backtest``, and the spans already asked for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. Closes are exact decimals like every price in the store.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def exact(nullable: bool = False) -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": nullable}


def text(nullable: bool = False) -> dict:
    return {"type_": sa.String(), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "daily_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", **text()),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("close", **exact()),
        sa.PrimaryKeyConstraint("id", name="pk_daily_close"),
        sa.UniqueConstraint("symbol", "day", name="uq_daily_close_symbol_day"),
    )

    op.create_table(
        "daily_close_span",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", **text()),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_daily_close_span"),
        sa.UniqueConstraint("symbol", name="uq_daily_close_span_symbol"),
    )


def downgrade() -> None:
    op.drop_table("daily_close_span")
    op.drop_table("daily_close")
