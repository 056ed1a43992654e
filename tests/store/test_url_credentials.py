"""A database password never shows, whether it is written in the URL's user info or, as
libpq also takes it, in its query (``?password=``)."""

from __future__ import annotations

import pytest

from trader.errors import StorageError
from trader.store import open_store
from trader.store.urls import mask_url

QUERY_URL = (
    "postgresql+psycopg://trader@127.0.0.1:9/trader?password=hunter2-secret&connect_timeout=2"
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # SQLAlchemy writes the query's keys in order.
        (QUERY_URL, "postgresql+psycopg://trader@127.0.0.1:9/trader?connect_timeout=2&password=***"),
        ("postgresql://u@h/db?sslmode=require&PASSWORD=x%40y", "postgresql://u@h/db?PASSWORD=***&sslmode=require"),
        ("postgresql://u:p@h/db?sslpassword=k", "postgresql://u:***@h/db?sslpassword=***"),
        ("weird url ://u@h?password=pw", "weird url ://u@h?password=***"),
        ("postgresql://u@h/db?sslmode=require", "postgresql://u@h/db?sslmode=require"),
    ],
)  # fmt: skip
def test_mask_url_hides_a_password_in_the_query(url, shown):
    assert mask_url(url) == shown


def test_a_storage_error_never_shows_a_query_password():
    with pytest.raises(StorageError) as caught:
        open_store(QUERY_URL)
    assert "hunter2-secret" not in str(caught.value)
    assert "password=***" in str(caught.value)


def test_doctor_and_print_cron_never_show_a_query_password(trader_main, config_file):
    env = {"TRADER_DATABASE_URL": QUERY_URL}
    config = str(config_file())
    doctor = trader_main("--config", config, "doctor", env=env)
    cron = trader_main("--config", config, "schedule", "--print-cron", env=env)
    assert cron.code == 0, cron.err
    for result in (doctor, cron):
        assert "hunter2-secret" not in result.out + result.err
    assert "password=***" in doctor.out + doctor.err
    assert "TRADER_DATABASE_URL" in cron.out  # named, to be set in cron's environment
