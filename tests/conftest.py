"""Fixtures for every test: no real keys leak in, and each test gets its own home folder.

``trader_main`` runs the ``trader`` command in the test process through ``main(argv)``,
as the CLI tests do; ``run_trader`` runs it in a subprocess, as a user would, for the few
tests about the console script itself and those that kill or interrupt a run.
``shared_sim`` hands a module's tests one sim per scenario, reset to its seed for each
test. ``config_file`` writes a copy of the shipped config with some lines replaced. They
live here, once, for every folder of tests (pytest runs with ``--import-mode=importlib``,
so one folder's conftest cannot be imported by another).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# A module's tests share its sims, and together they send far more than Alpaca's 200
# requests a minute: the shared sims allow this many (the 200 are tested in tests/sim).
SHARED_SIM_REQUESTS_PER_MINUTE = 100_000


@pytest.fixture(scope="module")
def module_sims() -> Iterator[dict[tuple[str, str, str], Any]]:
    """The sims started for one module's tests, by (scenario, key id, secret key)."""
    servers: dict[tuple[str, str, str], Any] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def shared_sim(module_sims) -> Callable[..., Any]:
    """``with shared_sim(scenario, key_id=..., secret_key=...) as server``: the module's
    sim for that scenario and those keys, started once and reset to the scenario's seed,
    faults and request log cleared, each time a test takes it. A fresh ``SimServer`` in
    all but its port and its request budget."""
    from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer

    @contextmanager
    def use(
        scenario: str = "default", *, key_id: str = SIM_KEY_ID, secret_key: str = SIM_SECRET_KEY
    ) -> Iterator[Any]:
        key = (scenario, key_id, secret_key)
        server = module_sims.get(key)
        if server is None:
            server = SimServer(
                scenario=scenario,
                key_id=key_id,
                secret_key=secret_key,
                requests_per_minute=SHARED_SIM_REQUESTS_PER_MINUTE,
            )
            server.start()
            module_sims[key] = server
        else:
            server.controls.reset(scenario)
            server.controls.clear_faults()
            server.controls.clear_requests()
        yield server

    return use


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
        reports = "reports_dir: ../paper_logs"
        assert reports in text
        if "reports_dir:" not in extra:
            text = text.replace(reports, f"reports_dir: {tmp_path / 'paper_logs'}")
        else:
            text = text.replace(reports, "")
        path = tmp_path / "config.yaml"
        path.write_text(text + extra)
        return path

    return make
