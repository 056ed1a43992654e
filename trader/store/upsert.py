"""Insert-or-update in one statement, on PostgreSQL and SQLite alike.

A cache row (an asset's attributes, a day's scores, a holding's peak) may be written by
two ``trader`` processes at once: read-then-insert lets both insert, and the second
fails on the unique key. ``INSERT ... ON CONFLICT DO UPDATE`` cannot: the database
decides, row by row, whether the key is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, SQLModel


def upsert(
    session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Write ``rows`` into ``model``'s table: a row whose ``keys`` exist updates it."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = model.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(list(rows))
    changed = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed))
