"""Initial schema: accounts, sync snapshots with their positions and open orders, fills, events.

Revision ID: 0001
Revises:
Create Date: 2025-11-24

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. Column types are spelled in plain SQLAlchemy so this file never
changes meaning: exact decimals are NUMERIC(38, 18), or TEXT on SQLite (whose
NUMERIC goes through a float), and times are timestamps with time zone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def exact(nullable: bool = False) -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": nullable}


def moment(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def text(nullable: bool = False) -> dict:
    return {"type_": sa.String(), "nullable": nullable}


def key() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def parent(
    owner: str, name: str, table: str, ondelete: str = "CASCADE", nullable: bool = False
) -> list:
    """A foreign key column to ``table.id``, named as ``trader.store.tables`` names it."""
    return [
        sa.Column(name, sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            [name], [f"{table}.id"], name=f"fk_{owner}_{name}_{table}", ondelete=ondelete
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "account",
        key(),
        sa.Column("mode", **text()),
        sa.Column("broker_account_id", **text()),
        sa.Column("account_number_masked", **text()),
        sa.Column("first_seen", **moment()),
        sa.Column("last_synced", **moment(nullable=True)),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("mode", "broker_account_id", name="uq_account_mode_broker_account_id"),
        sa.CheckConstraint("mode IN ('sim', 'paper', 'live', 'manual')", name="ck_account_mode"),
    )

    op.create_table(
        "sync_snapshot",
        key(),
        *parent("sync_snapshot", "account_id", "account"),
        sa.Column("taken_at", **moment()),
        sa.Column("status", **text()),
        sa.Column("currency", **text()),
        sa.Column("cash", **exact()),
        sa.Column("equity", **exact()),
        sa.Column("buying_power", **exact()),
        sa.Column("long_market_value", **exact()),
        sa.Column("trading_blocked", sa.Boolean(), nullable=False),
        sa.Column("account_blocked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_snapshot"),
    )
    op.create_index(
        "ix_sync_snapshot_account_id_taken_at", "sync_snapshot", ["account_id", "taken_at"]
    )

    op.create_table(
        "snapshot_position",
        key(),
        *parent("snapshot_position", "snapshot_id", "sync_snapshot"),
        sa.Column("symbol", **text()),
        sa.Column("asset_id", **text()),
        sa.Column("qty", **exact()),
        sa.Column("avg_entry_price", **exact()),
        sa.Column("current_price", **exact()),
        sa.Column("market_value", **exact()),
        sa.Column("cost_basis", **exact()),
        sa.Column("unrealized_pl", **exact()),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot_position"),
        sa.UniqueConstraint(
            "snapshot_id", "symbol", name="uq_snapshot_position_snapshot_id_symbol"
        ),
    )
    op.create_index("ix_snapshot_position_snapshot_id", "snapshot_position", ["snapshot_id"])

    op.create_table(
        "snapshot_order",
        key(),
        *parent("snapshot_order", "snapshot_id", "sync_snapshot"),
        sa.Column("broker_order_id", **text()),
        sa.Column("client_order_id", **text()),
        sa.Column("symbol", **text()),
        sa.Column("side", **text()),
        sa.Column("order_type", **text()),
        sa.Column("time_in_force", **text()),
        sa.Column("status", **text()),
        sa.Column("qty", **exact(nullable=True)),
        sa.Column("notional", **exact(nullable=True)),
        sa.Column("filled_qty", **exact()),
        sa.Column("filled_avg_price", **exact(nullable=True)),
        sa.Column("limit_price", **exact(nullable=True)),
        sa.Column("stop_price", **exact(nullable=True)),
        sa.Column("trail_percent", **exact(nullable=True)),
        sa.Column("submitted_at", **moment(nullable=True)),
        sa.Column("created_at", **moment()),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot_order"),
        sa.UniqueConstraint(
            "snapshot_id", "broker_order_id", name="uq_snapshot_order_snapshot_id_broker_order_id"
        ),
        sa.CheckConstraint("side IN ('buy', 'sell')", name="ck_snapshot_order_side"),
    )
    op.create_index("ix_snapshot_order_snapshot_id", "snapshot_order", ["snapshot_id"])

    op.create_table(
        "fill",
        key(),
        *parent("fill", "account_id", "account"),
        *parent("fill", "snapshot_id", "sync_snapshot", ondelete="SET NULL", nullable=True),
        sa.Column("activity_id", **text()),
        sa.Column("order_id", **text()),
        sa.Column("symbol", **text()),
        sa.Column("side", **text()),
        sa.Column("qty", **exact()),
        sa.Column("price", **exact()),
        sa.Column("transaction_time", **moment()),
        sa.Column("fill_type", **text()),
        sa.Column("cum_qty", **exact()),
        sa.Column("leaves_qty", **exact()),
        sa.PrimaryKeyConstraint("id", name="pk_fill"),
        sa.UniqueConstraint("account_id", "activity_id", name="uq_fill_account_id_activity_id"),
        sa.CheckConstraint("side IN ('buy', 'sell')", name="ck_fill_side"),
    )
    op.create_index("ix_fill_snapshot_id", "fill", ["snapshot_id"])
    op.create_index(
        "ix_fill_account_id_transaction_time", "fill", ["account_id", "transaction_time"]
    )

    op.create_table(
        "event",
        key(),
        sa.Column("at", **moment()),
        sa.Column("command", **text()),
        sa.Column("kind", **text()),
        sa.Column("outcome", **text()),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
    )
    op.create_index("ix_event_at", "event", ["at"])


def downgrade() -> None:
    op.drop_table("event")
    op.drop_table("fill")
    op.drop_table("snapshot_order")
    op.drop_table("snapshot_position")
    op.drop_table("sync_snapshot")
    op.drop_table("account")
