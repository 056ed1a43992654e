"""Run the real ``trader`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = REPO / "config" / "portfolio_allocation.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run_trader(tmp_path):
    """Call ``trader ARGS`` with a clean environment and this test's own home folder."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("APCA_", "TELEGRAM_", "TRADER_"))
        }
        environment["TRADER_HOME"] = str(tmp_path / "home")
        environment["COLUMNS"] = "160"
        environment.update(env or {})
        completed = subprocess.run(
            [sys.executable, "-m", "trader", *args],
            capture_output=True,
            text=True,
            env=environment,
            cwd=REPO,
            timeout=timeout,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def config_file(tmp_path):
    """A copy of the shipped config with some lines replaced; reports go to the test's folder."""

    def make(*replacements: tuple[str, str], extra: str = "", harvest: bool = True) -> Path:
        text = SHIPPED_CONFIG.read_text()
        if not harvest:  # the rebalance alone, without tax-loss harvest swaps
            text = text.replace("tax_loss_harvesting: true", "tax_loss_harvesting: false", 1)
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
