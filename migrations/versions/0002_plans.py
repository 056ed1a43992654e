"""Staged plans, their orders and their executions; the trailing stops' price peaks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. The status lists already hold the states ``trader execute``
moves plans and orders through, so execution needs no change to these constraints.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODES = "mode IN ('sim', 'paper', 'live', 'manual')"
PLAN_STATUSES = "status IN ('staged', 'superseded', 'executing', 'executed', 'expired')"
ORDER_STATUSES = (
    "status IN ('staged', 'submitted', 'accepted', 'partially_filled', 'filled', "
    "'rejected', 'cancelled', 'expired', 'skipped')"
)
EXECUTION_STATUSES = "status IN ('running', 'completed', 'interrupted', 'refused')"


def exact(nullable: bool = False) -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": nullable}


def moment(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def text(nullable: bool = False) -> dict:
    return {"type_": sa.String(), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", **text()),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("mode", **text()),
        sa.Column("status", **text()),
        sa.Column("created_at", **moment()),
        sa.Column("method", **text()),
        sa.Column("input_hash", **text()),
        sa.Column("equity", **exact()),
        sa.Column("investable", **exact()),
        sa.Column("cash", **exact()),
        sa.Column("cash_after", **exact()),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_plan_account_id_account", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["sync_snapshot.id"],
            name="fk_plan_snapshot_id_sync_snapshot",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("uid", name="uq_plan_uid"),
        sa.CheckConstraint(MODES, name="ck_plan_mode"),
        sa.CheckConstraint(PLAN_STATUSES, name="ck_plan_status"),
    )
    op.create_index("ix_plan_account_id", "plan", ["account_id"])
    op.create_index("ix_plan_mode_status", "plan", ["mode", "status"])

    op.create_table(
        "plan_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("client_order_id", **text()),
        sa.Column("symbol", **text()),
        sa.Column("side", **text()),
        sa.Column("qty", **exact()),
        sa.Column("notional", **exact(nullable=True)),
        sa.Column("est_price", **exact()),
        sa.Column("est_value", **exact()),
        sa.Column("est_realized_pl", **exact(nullable=True)),
        sa.Column("category", **text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", **text()),
        sa.Column("sent_qty", **exact(nullable=True)),
        sa.Column("broker_order_id", **text(nullable=True)),
        sa.Column("filled_qty", **exact()),
        sa.Column("filled_avg_price", **exact(nullable=True)),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("submitted_at", **moment(nullable=True)),
        sa.Column("updated_at", **moment(nullable=True)),
        sa.PrimaryKeyConstraint("id", name="pk_plan_order"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name="fk_plan_order_plan_id_plan", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("client_order_id", name="uq_plan_order_client_order_id"),
        sa.UniqueConstraint("plan_id", "seq", name="uq_plan_order_plan_id_seq"),
        sa.CheckConstraint("side IN ('buy', 'sell')", name="ck_plan_order_side"),
        sa.CheckConstraint(ORDER_STATUSES, name="ck_plan_order_status"),
    )

    op.create_table(
        "execution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("started_at", **moment()),
        sa.Column("finished_at", **moment(nullable=True)),
        sa.Column("status", **text()),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_execution"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name="fk_execution_plan_id_plan", ondelete="CASCADE"
        ),
        sa.CheckConstraint(EXECUTION_STATUSES, name="ck_execution_status"),
    )
    op.create_index("ix_execution_plan_id", "execution", ["plan_id"])

    op.create_table(
        "price_peak",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("symbol", **text()),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("peak", **exact()),
        sa.PrimaryKeyConstraint("id", name="pk_price_peak"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name="fk_price_peak_account_id_account",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("account_id", "symbol", name="uq_price_peak_account_id_symbol"),
    )


    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", **text()),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("score", **exact()),
        sa.PrimaryKeyConstraint("id", name="pk_score"),
        sa.UniqueConstraint("symbol", "as_of", name="uq_score_symbol_as_of"),
    )


def downgrade() -> None:
    op.drop_table("score")
    op.drop_table("price_peak")
    op.drop_table("execution")
    op.drop_table("plan_order")
    op.drop_table("plan")
