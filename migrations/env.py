"""Alembic environment for the trader's store.

Two ways in:

* ``trader`` itself (``trader.store.migrate``) passes an open connection in
  ``config.attributes["connection"]``; the migration runs inside its transaction.
* ``alembic upgrade head`` from the repository root (``alembic.ini``) connects to
  ``$TRADER_DATABASE_URL``, or to the default SQLite file in ``$TRADER_HOME``
  (``.trader`` when unset), with the same engine settings trader uses.

``target_metadata`` is ``SQLModel.metadata``: a module that defines more tables
must be imported here for ``alembic revision --autogenerate`` to see them.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import trader.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from trader.store.engine import create_engine_for
from trader.store.migrate import render_item
from trader.store.urls import default_database_url

config = context.config
target_metadata = SQLModel.metadata

if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    home = Path(os.environ.get("TRADER_HOME", "").strip() or ".trader")
    return default_database_url(home)


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        # trader's SQLite connections emit BEGIN themselves, so DDL is transactional there too.
        transactional_ddl=True,
        **options,
    )


def run_migrations_offline() -> None:
    url = database_url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine_for(database_url())
    try:
        with engine.connect() as connection:
            _run_on(connection)
            connection.commit()
    finally:
        engine.dispose()


def _run_on(connection: Any) -> None:
    # SQLite alters tables by copying them; batch mode lets later migrations do that.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
