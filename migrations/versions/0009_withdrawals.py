"""Withdrawals set aside: the cash a ``--withdraw`` plan raised, kept beside the reserve
until it leaves the account or the user cancels it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITHDRAWAL_STATES = "state IN ('set_aside', 'left', 'cancelled')"


def exact(nullable: bool = False) -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": nullable}


def moment(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "withdrawal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("plan_uid", sa.String(), nullable=False),
        sa.Column("raised", **exact()),
        sa.Column("amount", **exact()),
        sa.Column("raised_at", **moment()),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("counted", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("closed_at", **moment(nullable=True)),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_withdrawal"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name="fk_withdrawal_account_id_account",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(WITHDRAWAL_STATES, name="ck_withdrawal_state"),
    )
    op.create_index("ix_withdrawal_account_id_state", "withdrawal", ["account_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_withdrawal_account_id_state", table_name="withdrawal")
    op.drop_table("withdrawal")
