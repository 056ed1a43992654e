"""Asset attributes cached for a trading day, so a plan asks the broker once a day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("exchange", sa.String(), nullable=False),
        sa.Column("tradable", sa.Boolean(), nullable=False),
        sa.Column("fractionable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("asset_id", sa.String(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_asset_cache"),
        sa.UniqueConstraint("symbol", name="uq_asset_cache_symbol"),
    )


def downgrade() -> None:
    op.drop_table("asset_cache")
