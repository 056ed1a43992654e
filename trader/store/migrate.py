"""Bringing a database to the newest schema, automatically, on first use.

The migrations live in the top-level ``migrations/`` folder (found next to the
installed, editable ``trader`` package). ``upgrade_to_head`` first compares the
database's Alembic revision with the scripts' head: when they match, that one
cheap query is all it costs. When the database is behind, it runs
``alembic upgrade head`` in a single transaction on the given engine, holding a
lock (SQLite's write lock, a PostgreSQL advisory lock) so that two processes
starting at once take turns and the second finds nothing left to do.
A database stamped with a revision this code does not know (written by a newer
``trader``) is refused rather than touched.

Alembic takes a tenth of a second to import, more than a whole ``trader plan`` spends on
the database: so the common case, a database already at ``SCHEMA_HEAD``, is recognised
with one plain query and Alembic is imported only when there is something to do.
``tests/store/test_migrations.py`` checks that ``SCHEMA_HEAD`` is the scripts' head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel.sql.sqltypes import AutoString

import trader
from trader.errors import StorageError
from trader.store.engine import for_writing
from trader.store.types import ExactDecimal, UTCDateTime

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(trader.__file__).resolve().parent.parent / "migrations"
# The newest migration's revision: a new migration moves it (a test says when).
SCHEMA_HEAD = "0009"
VERSION_TABLE = "alembic_version"  # where Alembic stamps a database's revision
# Any fixed number: the key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK_KEY = 0x7472_6164_6572  # "trader"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at our migrations, optionally bound to ``connection``."""
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise StorageError(f"database migrations not found in {MIGRATIONS_DIR}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    """The revisions the migration scripts end at (one, unless branches are open)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    """The revisions the database is stamped with; empty for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def is_current(engine: Engine) -> bool:
    """True when the database is already at the scripts' head."""
    with engine.connect() as connection:
        return current_revisions(connection) == head_revisions()


def _at_schema_head(engine: Engine) -> bool:
    """True when the database is stamped with ``SCHEMA_HEAD`` alone: one query, no Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        stamped = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
        return {row[0] for row in stamped} == {SCHEMA_HEAD}


def upgrade_to_head(engine: Engine) -> bool:
    """Migrate the database to head if it is behind; returns True if anything ran."""
    if _at_schema_head(engine):
        return False
    from alembic import command

    heads = head_revisions()
    with engine.connect() as connection:
        current = current_revisions(connection)
    if current == heads:
        return False
    _refuse_unknown(current)
    # On SQLite, BEGIN IMMEDIATE is the lock; on PostgreSQL, an advisory lock.
    with for_writing(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        if current_revisions(connection) == heads:  # another process just did it
            return False
        command.upgrade(alembic_config(connection), "head")
    return True


def _refuse_unknown(current: set[str]) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = sorted(current - known)
    if unknown:
        raise StorageError(
            f"the database is at schema revision {', '.join(unknown)}, which this version of "
            "trader does not know; it was written by a newer trader"
        )


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate hook: write our column types into new migrations as plain SQLAlchemy.

    A migration is history: it must keep creating the same columns even if
    ``trader.store.types`` changes later, so it must not import it.
    """
    if type_ != "type":
        return False
    if isinstance(obj, ExactDecimal):
        return 'sa.Numeric(38, 18).with_variant(sa.Text(), "sqlite")'
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return "sa.String()"
    return False
