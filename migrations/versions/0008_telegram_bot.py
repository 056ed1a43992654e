"""The Telegram bot: one-time approval tokens, the bot's update offset, paused accounts,
and the plan status ``rejected``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. A plan rejected from Telegram keeps its orders and its report; it
is never executed. Tokens are kept as SHA-256 hashes only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_PLAN_STATUSES = "status IN ('staged', 'superseded', 'executing', 'executed', 'expired')"
PLAN_STATUSES = (
    "status IN ('staged', 'superseded', 'executing', 'executed', 'expired', 'rejected')"
)
APPROVAL_STATES = "state IN ('issued', 'approving', 'confirming', 'used')"
MODES = "mode IN ('sim', 'paper', 'live', 'manual')"


def moment(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def replace_status_check(old: str, new: str, statuses: str) -> None:
    """Swap the plan table's status constraint.

    SQLite changes a constraint by copying the table, and dropping the old copy deletes
    the rows of the tables that refer to it (``ON DELETE CASCADE``; foreign keys cannot
    be switched off inside the migration's transaction): those rows are kept aside in
    temporary tables and put back, with their ids, once the copy is in place.
    """
    children = ("plan_order", "execution") if op.get_bind().dialect.name == "sqlite" else ()
    for table in children:
        op.execute(f"CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table}")
    with op.batch_alter_table("plan") as batch:
        batch.drop_constraint(op.f(old), type_="check")
        batch.create_check_constraint(op.f(new), statuses)
    for table in children:
        op.execute(f"INSERT INTO {table} SELECT * FROM kept_{table}")
        op.execute(f"DROP TABLE kept_{table}")


def upgrade() -> None:
    # 0002 named it twice over (the naming convention added its prefix to a full name);
    # the new constraint gets the name the tables' convention gives it.
    replace_status_check("ck_plan_ck_plan_status", "ck_plan_status", PLAN_STATUSES)

    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", **moment()),
        sa.Column("expires_at", **moment()),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("prompt_message_id", sa.Integer(), nullable=True),
        sa.Column("used_at", **moment(nullable=True)),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_approval"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name="fk_approval_plan_id_plan", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("token_hash", name="uq_approval_token_hash"),
        sa.CheckConstraint(APPROVAL_STATES, name="ck_approval_state"),
    )
    op.create_index("ix_approval_plan_id", "approval", ["plan_id"])

    op.create_table(
        "telegram_offset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bot_id", sa.String(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", **moment()),
        sa.PrimaryKeyConstraint("id", name="pk_telegram_offset"),
        sa.UniqueConstraint("bot_id", name="uq_telegram_offset_bot_id"),
    )

    op.create_table(
        "pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("paused_at", **moment()),
        sa.Column("paused_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pause"),
        sa.UniqueConstraint("mode", name="uq_pause_mode"),
        sa.CheckConstraint(MODES, name="ck_pause_mode"),
    )


def downgrade() -> None:
    op.drop_table("pause")
    op.drop_table("telegram_offset")
    op.drop_index("ix_approval_plan_id", table_name="approval")
    op.drop_table("approval")
    op.execute("UPDATE plan SET status = 'superseded' WHERE status = 'rejected'")
    replace_status_check("ck_plan_status", "ck_plan_ck_plan_status", OLD_PLAN_STATUSES)
