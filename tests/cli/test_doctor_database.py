"""``trader doctor``'s database check: SQLite's ``quick_check`` finds a corrupt file, and
the fix names what is wrong (the home folder, not a variable that was never set)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_home_folder import _read_only


def checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.out)["checks"]}


def test_doctor_fails_a_corrupt_database(trader_main, config_file, tmp_path):
    config = str(config_file())
    assert trader_main("--config", config, "sync").code == 0
    database = tmp_path / "home" / "trader.db"
    with sqlite3.connect(database) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(database.read_bytes())
    for page in range(pages - 3, pages):  # the last pages: the schema still reads
        start = page * page_size
        data[start : start + 64] = b"\xff" * 64
    database.write_bytes(bytes(data))
    result = trader_main("--config", config, "doctor", "--json")
    assert result.code == 9, result.out
    found = checks(result)["database"]
    assert not found["ok"]
    assert "corrupt" in found["detail"]
    assert "TRADER_DATABASE_URL" not in found["fix"]


def test_doctor_names_a_read_only_home_not_the_database_variable(config_file, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with sqlite3.connect(home / "trader.db"):
        pass
    [result] = _read_only(home, ["doctor", "--json"], config=config_file())
    found = json.loads(result.stdout) if result.stdout.strip() else None
    assert found is not None, result.stderr
    database = {c["name"]: c for c in found["checks"]}["database"]
    assert not database["ok"]
    assert "read-only" in database["detail"]
    assert "TRADER_DATABASE_URL" not in database["fix"] and "TRADER_HOME" in database["fix"]


def test_doctor_names_a_home_that_is_a_file(trader_main, tmp_path):
    blocker = Path(tmp_path / "a-file")
    blocker.write_text("x")
    result = trader_main("doctor", "--json", env={"TRADER_HOME": str(blocker)})
    assert "Traceback" not in result.err
    assert result.code in (2, 9), result.err
