"""Corporate actions (splits, dividends, mergers...) from the account's activities; the
day each symbol's cached closes were first read.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. Syncs before this revision did not read these activities; the first
sync after it reads them all from the start of the account's history. Closes cached
before it were read on or after their span's last day, which stands in for the day they
were read (the earliest it can be, so a later split or dividend is never missed).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def exact() -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": True}


def upgrade() -> None:
    op.create_table(
        "corporate_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("sub_type", sa.String(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("qty", **exact()),
        sa.Column("price", **exact()),
        sa.Column("net_amount", **exact()),
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("raw_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name="fk_corporate_action_account_id_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_corporate_action"),
        sa.UniqueConstraint(
            "account_id", "activity_id", name="uq_corporate_action_account_id_activity_id"
        ),
    )
    op.create_index(
        "ix_corporate_action_account_id_day", "corporate_action", ["account_id", "day"]
    )
    with op.batch_alter_table("daily_close_span") as batch:
        batch.add_column(sa.Column("read_on", sa.Date(), nullable=True))
    op.execute("UPDATE daily_close_span SET read_on = last_day")
    with op.batch_alter_table("daily_close_span") as batch:
        batch.alter_column("read_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("daily_close_span") as batch:
        batch.drop_column("read_on")
    op.drop_index("ix_corporate_action_account_id_day", table_name="corporate_action")
    op.drop_table("corporate_action")
