"""The backtest is pure like the engine: no adapter, no I/O library."""

from __future__ import annotations

import ast
from pathlib import Path

import trader.backtest

FORBIDDEN = ("alpaca", "sqlmodel", "sqlalchemy", "pydantic", "yaml", "typer", "rich", "requests")
FORBIDDEN_PACKAGES = (
    "trader.broker",
    "trader.store",
    "trader.sim",
    "trader.cli",
    "trader.settings",
    "trader.planning",
    "trader.reports",
    "trader.price_history",
)
IO_MODULES = (
    "os",
    "io",
    "socket",
    "subprocess",
    "pathlib",
    "shutil",
    "tempfile",
    "urllib",
    "csv",
    "matplotlib",
)


def test_the_backtest_imports_nothing_impure():
    files = list(Path(trader.backtest.__file__).parent.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
                assert name.split(".")[0] not in IO_MODULES, f"{path.name} imports {name}"
                assert not name.startswith(FORBIDDEN_PACKAGES), f"{path.name} imports {name}"


def test_the_backtest_decides_through_the_engine():
    """The one place trades are decided is ``plan_rebalance``, the code behind ``trader plan``."""
    source = (Path(trader.backtest.__file__).parent / "simulate.py").read_text()
    assert "from trader.core.engine import Plan, plan_rebalance" in source
