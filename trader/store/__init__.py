"""The store: everything trader records, in SQLite by default or PostgreSQL.

types.py    exact decimals and UTC times on every backend
tables.py   the SQLModel tables (rows, not domain values)
convert.py  rows <-> domain values
events.py   event details as JSON text, secrets masked
urls.py     the default database URL; masking passwords in messages
engine.py   engine settings (SQLite WAL, foreign keys); errors as StorageError
migrate.py  Alembic upgrade to head on first use
store.py    ``open_store`` and the ``Store`` the rest of trader uses
"""

from trader.store.store import Store, open_store
from trader.store.urls import default_database_url

__all__ = ["Store", "default_database_url", "open_store"]
