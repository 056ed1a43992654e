"""Opening a database: the default location, SQLite settings, and readable failures."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from trader.errors import StorageError
from trader.store import default_database_url, open_store
from trader.store.urls import mask_url


def test_the_default_is_a_sqlite_file_in_the_home_folder(tmp_path):
    home = tmp_path / "not-yet" / "home"
    assert default_database_url(home) == f"sqlite:///{home}/trader.db"
    assert home.is_dir()


def test_the_environment_chooses_another_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADER_DATABASE_URL", "postgresql+psycopg://trader@db.example/trader")
    assert default_database_url(tmp_path) == "postgresql+psycopg://trader@db.example/trader"


def test_a_sqlite_store_uses_wal_and_enforces_foreign_keys(tmp_path):
    path = tmp_path / "trader.db"
    store = open_store(f"sqlite:///{path}")
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() > 0
    finally:
        store.close()
    assert path.is_file()


def test_the_default_url_opens(tmp_path):
    store = open_store(default_database_url(tmp_path / "home"))
    store.close()
    assert (tmp_path / "home" / "trader.db").is_file()


def assert_one_masked_line(error: StorageError, password: str) -> str:
    message = str(error)
    assert password not in message
    assert "\n" not in message
    assert error.exit_code == 9
    return message


def test_an_unreachable_server_is_a_storage_error_with_the_password_masked():
    url = "postgresql+psycopg://trader:hunter2-secret@127.0.0.1:9/trader?connect_timeout=2"
    with pytest.raises(StorageError) as caught:
        open_store(url)
    message = assert_one_masked_line(caught.value, "hunter2-secret")
    assert "postgresql+psycopg://trader:***@127.0.0.1:9/trader" in message


@pytest.mark.parametrize(
    "url",
    [
        "not a database url",
        "nosuchdatabase://admin:hunter2-secret@localhost/x",
        "postgresql+nosuchdriver://admin:hunter2-secret@localhost/x",
        "://admin:hunter2-secret@",
    ],
)
def test_a_bad_url_is_a_storage_error_with_the_password_masked(url):
    with pytest.raises(StorageError) as caught:
        open_store(url)
    assert_one_masked_line(caught.value, "hunter2-secret")


def test_a_sqlite_file_that_cannot_be_created_is_a_storage_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot open database sqlite:///"):
        open_store(f"sqlite:///{blocker}/trader.db")


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path):
    path = Path(tmp_path / "trader.db")
    path.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    with pytest.raises(StorageError, match="cannot open database"):
        open_store(f"sqlite:///{path}")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("weird url ://u:pw@h", "weird url ://u:***@h"),
    ],
)
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_processes_opening_a_new_database_at_once_migrate_it_once(database_url):
    """Several trader commands started together on a fresh database: one migrates, the
    others wait for it and find nothing to do, and they can all write right away."""
    workers = 4
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def open_and_write(number: int) -> None:
        try:
            barrier.wait()
            store = open_store(database_url)
            try:
                store.log_event("sync", "command", "ok", {"worker": number})
            finally:
                store.close()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=open_and_write, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    store = open_store(database_url)
    try:
        assert sorted(e["detail"]["worker"] for e in store.events()) == list(range(workers))
    finally:
        store.close()
