"""The pure code imports no adapter and no I/O library: the core (domain, engine, lots,
schedules) and the backtest alike."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trader.backtest
import trader.core.engine

FORBIDDEN = ("alpaca", "sqlmodel", "sqlalchemy", "pydantic", "yaml", "typer", "rich", "requests")
FORBIDDEN_PACKAGES = (
    "trader.broker",
    "trader.store",
    "trader.sim",
    "trader.cli",
    "trader.settings",
    "trader.planning",
    "trader.adapters.reports",
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
ENGINE = Path(trader.core.engine.__file__).parent
PURE = {
    "core": [*ENGINE.glob("*.py"), *ENGINE.parent.glob("*.py")],
    "backtest": list(Path(trader.backtest.__file__).parent.glob("*.py")),
}


@pytest.mark.parametrize("package", sorted(PURE))
def test_the_pure_code_imports_nothing_impure(package):
    files = PURE[package]
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
