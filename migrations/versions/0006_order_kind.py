"""Each staged order keeps its kind and its tax estimate: rebalance, harvest or trailing stop.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Written by hand and checked against ``trader.store.tables`` by the autogenerate
comparison test. Orders staged before this revision were all rebalancing orders as far
as the store can tell, so they become ``rebalance``. The short- and long-term split of
an estimated gain and the part of a loss a wash sale disallows are new and stay empty
for old rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_KINDS = "kind IN ('rebalance', 'harvest', 'trailing_stop')"


def exact() -> dict:
    return {"type_": sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite"), "nullable": True}


def upgrade() -> None:
    with op.batch_alter_table("plan_order") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="rebalance")
        )
        batch.add_column(sa.Column("est_short_term", **exact()))
        batch.add_column(sa.Column("est_long_term", **exact()))
        batch.add_column(sa.Column("est_washed", **exact()))
        batch.create_check_constraint(op.f("ck_plan_order_kind"), ORDER_KINDS)


def downgrade() -> None:
    with op.batch_alter_table("plan_order") as batch:
        batch.drop_constraint(op.f("ck_plan_order_kind"), type_="check")
        batch.drop_column("est_washed")
        batch.drop_column("est_long_term")
        batch.drop_column("est_short_term")
        batch.drop_column("kind")
