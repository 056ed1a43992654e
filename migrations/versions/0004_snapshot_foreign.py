"""Positions, open orders and fills of kinds trader does not trade, kept verbatim per sync.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def text() -> dict:
    return {"type_": sa.String(), "nullable": False}


def upgrade() -> None:
    op.create_table(
        "snapshot_foreign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["sync_snapshot.id"],
            name="fk_snapshot_foreign_snapshot_id_sync_snapshot",
            ondelete="CASCADE",
        ),
        sa.Column("kind", **text()),
        sa.Column("symbol", **text()),
        sa.Column("asset_class", **text()),
        sa.Column("reason", **text()),
        sa.Column("raw_json", **text()),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot_foreign"),
        sa.CheckConstraint(
            "kind IN ('position', 'order', 'activity')", name="ck_snapshot_foreign_kind"
        ),
    )
    op.create_index("ix_snapshot_foreign_snapshot_id", "snapshot_foreign", ["snapshot_id"])


def downgrade() -> None:
    op.drop_index("ix_snapshot_foreign_snapshot_id", table_name="snapshot_foreign")
    op.drop_table("snapshot_foreign")
