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
)


def test_engine_and_policy_import_nothing_impure():
    folder = Path(trader.core.engine.__file__).parent
    files = [*folder.glob("*.py"), folder.parent / "policy.py"]
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
                assert not name.startswith(FORBIDDEN_PACKAGES), f"{path.name} imports {name}"
