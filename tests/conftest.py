"""Fixtures for every test: no real keys leak in, and each test gets its own home folder.

``run_trader`` runs the real ``trader`` command in a subprocess, as a user would, and
``config_file`` writes a copy of the shipped config with some lines replaced. They live
here, once, for every folder of tests (pytest runs with ``--import-mode=importlib``, so
one folder's conftest cannot be imported by another).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "config" / "portfolio_allocation.yaml"
HARVEST_ON, HARVEST_OFF = "tax_loss_harvesting: true", "tax_loss_harvesting: false"

SECRET_VARIABLES = (
    "APCA_API_KEY_ID",
    "APCA_API_SECRET_KEY",
    "APCA_API_BASE_URL",
    "APCA_API_DATA_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_CHAT_ID",
    "TRADER_DATABASE_URL",
    "TRADER_CONFIG",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Each test starts with no broker keys and its own TRADER_HOME."""
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRADER_HOME", str(tmp_path / "home"))
    return tmp_path


@dataclass
class Result:
    code: int
    out: str
    err: str


def clean_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without any real key, with ``home`` as TRADER_HOME."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("APCA_", "TELEGRAM_", "TRADER_"))
    }
    environment["TRADER_HOME"] = str(home)
    environment["COLUMNS"] = "160"
    environment.update(extra or {})
    return environment


@pytest.fixture(scope="session")
def trader_environment() -> Callable[[Path, dict[str, str] | None], dict[str, str]]:
    return clean_environment


@pytest.fixture
def run_trader(tmp_path):
    """Call ``trader ARGS`` with a clean environment and this test's own home folder."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        completed = subprocess.run(
            [sys.executable, "-m", "trader", *args],
            capture_output=True,
            text=True,
            env=clean_environment(tmp_path / "home", env),
            cwd=REPO,
            timeout=timeout,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def trader_main(tmp_path, monkeypatch, capsys):
    """Call ``trader ARGS`` in this process through ``main(argv)``: the same clean
    environment and home folder as ``run_trader``, without a Python start-up per call.

    Standard input is not a terminal, as in a subprocess with captured output."""
    from trader.cli.app import main

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        for name in list(os.environ):
            if name.startswith(("APCA_", "TELEGRAM_", "TRADER_")):
                monkeypatch.delenv(name)
        for name, value in clean_environment(tmp_path / "home", env).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(REPO)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def paper_env() -> Callable[[Any], dict[str, str]]:
    """The environment of an Alpaca paper account served by a ``SimServer``."""
    from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

    def env(server: Any) -> dict[str, str]:
        return {
            "APCA_API_BASE_URL": server.url,
            "APCA_API_KEY_ID": SIM_KEY_ID,
            "APCA_API_SECRET_KEY": SIM_SECRET_KEY,
        }

    return env


@pytest.fixture
def config_file(tmp_path):
    """A copy of the shipped config with some lines replaced; reports go to the test's folder.

    ``harvest=False`` turns tax-loss harvesting off: the rebalance alone.
    """

    def make(*replacements: tuple[str, str], extra: str = "", harvest: bool = True) -> Path:
        text = SHIPPED_CONFIG.read_text()
        if not harvest:
            text = text.replace(HARVEST_ON, HARVEST_OFF, 1)
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        reports = "reports_dir: paper_logs"
        assert reports in text
        if "reports_dir:" not in extra:
            text = text.replace(reports, f"reports_dir: {tmp_path / 'paper_logs'}")
        else:
            text = text.replace(reports, "")
        path = tmp_path / "config.yaml"
        path.write_text(text + extra)
        return path

    return make
