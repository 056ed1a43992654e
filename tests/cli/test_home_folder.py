"""The home folder: private on creation, its database files private, a bad one named in
one line, and a read-only one still good for the commands that only read."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, clean_environment


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_is_0700_and_its_database_files_0600(trader_main, config_file, tmp_path):
    home = tmp_path / "fresh" / "home"
    result = trader_main("--config", str(config_file()), "sync", env={"TRADER_HOME": str(home)})
    assert result.code == 0, result.err
    assert mode(home) == 0o700
    database = home / "trader.db"
    assert mode(database) == 0o600
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{database}{suffix}")
        if extra.exists():
            assert mode(extra) == 0o600, extra


def test_an_existing_databases_files_are_tightened_when_opened(trader_main, config_file, tmp_path):
    home = tmp_path / "home"
    config = str(config_file())
    assert trader_main("--config", config, "sync").code == 0
    database = home / "trader.db"
    database.chmod(0o644)
    wal = Path(f"{database}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o666)
    assert trader_main("--config", config, "history").code == 0
    assert mode(database) == 0o600
    assert not wal.exists() or mode(wal) == 0o600


def test_a_home_that_is_a_file_is_one_line(trader_main, config_file, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for home in (blocker, blocker / "below"):
        result = trader_main("--config", str(config_file()), "sync", env={"TRADER_HOME": str(home)})
        assert result.code == 2, result.err
        assert "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "TRADER_HOME" in result.err and str(blocker) in result.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes any folder")
def test_a_home_below_a_folder_that_cannot_be_written_is_one_line(
    trader_main, config_file, tmp_path
):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        result = trader_main(
            "--config", str(config_file()), "sync", env={"TRADER_HOME": str(parent / "home")}
        )
    finally:
        parent.chmod(0o700)
    assert result.code == 2, result.err
    assert "permission denied" in result.err and "Traceback" not in result.err


def _read_only(
    folder: Path, *commands: list[str], config: Path, home: Path | None = None
) -> list[subprocess.CompletedProcess]:
    """Run each ``trader`` command with ``folder`` bind-mounted read-only, in a mount
    namespace of its own (a real read-only file system, no privileges needed); the home
    is ``folder`` unless given."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("user namespaces are not allowed here")
    results = []
    for command in commands:
        args = " ".join(f"'{a}'" for a in ["--config", str(config), *command])
        script = (
            f"mount --bind '{folder}' '{folder}' && "
            f"mount -o remount,ro,bind '{folder}' '{folder}' && "
            f"'{sys.executable}' -m trader {args}"
        )
        results.append(
            subprocess.run(
                ["unshare", "-rm", "sh", "-c", script],
                capture_output=True,
                text=True,
                env=clean_environment(home or folder),
                cwd=REPO,
                timeout=120,
            )
        )
    return results


def test_a_read_only_home_still_shows_history_and_lots(trader_main, config_file, tmp_path):
    home = tmp_path / "home"
    config = config_file()
    assert trader_main("--config", str(config), "sync").code == 0
    for result in _read_only(home, ["history"], ["lots"], config=config):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_a_read_only_home_refuses_to_write_in_one_line(trader_main, config_file, tmp_path):
    home = tmp_path / "home"
    config = config_file()
    assert trader_main("--config", str(config), "sync").code == 0
    [result] = _read_only(home, ["sync"], config=config)
    assert result.returncode in (2, 9), result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "read-only" in result.stderr or "readonly" in result.stderr


def test_a_home_to_create_on_a_read_only_file_system_is_one_line(config_file, tmp_path):
    folder = tmp_path / "mounted"
    folder.mkdir()
    [result] = _read_only(folder, ["sync"], config=config_file(), home=folder / "home")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"error: cannot create TRADER_HOME {folder / 'home'}: the file system is read-only; "
        "point TRADER_HOME at a writable folder"
    )
