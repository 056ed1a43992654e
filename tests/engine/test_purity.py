"""The engine is pure: it imports no adapter and no I/O library."""

from __future__ import annotations

import ast
from pathlib import Path

import trader.core.engine

FORBIDDEN = ("alpaca", "sqlmodel", "sqlalchemy", "pydantic", "yaml", "typer", "rich", "requests")
FORBIDDEN_PACKAGES = (
    "trader.broker",
    "trader.store",
    "trader.sim",
    "trader.cli",
    "trader.settings",
    "trader.planning",
    "trader.reports",
)
IO_MODULES = ("os", "io", "socket", "subprocess", "pathlib", "shutil", "tempfile", "urllib")


def test_the_core_imports_nothing_impure():
    folder = Path(trader.core.engine.__file__).parent
    files = [*folder.glob("*.py"), *folder.parent.glob("*.py")]
    assert len(files) >= 10
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
                assert name not in IO_MODULES, f"{path.name} imports {name}"
                assert not name.startswith(FORBIDDEN_PACKAGES), f"{path.name} imports {name}"
