"""``trader --help`` and ``trader CMD --help`` import none of the heavy libraries, and a
plan imports only those it uses.

The help of every command is read from its signature, so every command module is
imported for it: each must leave the broker, the store, the settings and the numeric
libraries to the function that runs the command. (pydantic is the one heavy import
left: typer 0.29 converts every option's value through it.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

HEAVY = (
    "alembic",
    "alpaca",
    "apprise",
    "holidays",
    "matplotlib",
    "numpy",
    "pandas",
    "requests",
    "sqlalchemy",
    "sqlmodel",
    "tenacity",
    "yaml",
    "trader.app",
    "trader.backtest.simulate",
    "trader.broker.alpaca",
    "trader.planning",
    "trader.settings",
    "trader.sim",
    "trader.store",
)

# Runs in a fresh interpreter: each help in turn, then which heavy modules it loaded.
PROBE = """
import json, sys
from trader.cli.app import app, main

heavy = tuple(sys.argv[1:])
commands = [[]] + [[c.name] for c in app.registered_commands]
for group in app.registered_groups:
    commands.append([group.name])
    commands += [[group.name, c.name] for c in group.typer_instance.registered_commands]
loaded = {}
for command in commands:
    try:
        main([*command, "--help"])
    except SystemExit as exc:
        assert exc.code in (0, None), (command, exc.code)
    loaded[" ".join(command) or "(none)"] = sorted(
        name for name in sys.modules if any(name == h or name.startswith(h + ".") for h in heavy)
    )
print(json.dumps(loaded))
"""


def test_no_help_imports_a_heavy_library(tmp_path, trader_environment):
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, *HEAVY],
        capture_output=True,
        text=True,
        env=trader_environment(tmp_path / "home", None),
        cwd=REPO,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.splitlines()[-1])
    assert {"(none)", "plan", "sync", "backtest", "sim", "sim serve"} <= set(loaded)
    assert {command: found for command, found in loaded.items() if found} == {}


# Runs in a fresh interpreter: one plan, then which of these it loaded.
PLAN_PROBE = """
import json, sys
from trader.cli.app import main

try:
    main(["--config", sys.argv[1], "plan", "--json"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
unused = ("alembic", "apprise", "holidays", "matplotlib", "numpy", "pandas")
print(json.dumps(sorted(name for name in unused if name in sys.modules)))
"""


def test_a_plan_after_the_days_first_loads_no_library_it_does_not_use(
    trader_main, config_file, tmp_path, trader_environment
):
    # The day's first plan migrates the new database (Alembic) and reads the daily bars
    # of the trailing stops' peaks (alpaca-py's data models, which import pandas).
    config = config_file()
    assert trader_main("--config", str(config), "plan", "--json").code == 0
    completed = subprocess.run(
        [sys.executable, "-c", PLAN_PROBE, str(config)],
        capture_output=True,
        text=True,
        env=trader_environment(tmp_path / "home", None),
        cwd=REPO,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.splitlines()[-1]) == []


VERSION_PROBE = """
import sys
from trader.cli.app import main

try:
    main(["--version"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
heavy = tuple(sys.argv[1:])
print(sorted(n for n in sys.modules if any(n == h or n.startswith(h + ".") for h in heavy)))
"""


def test_version_comes_from_the_package_metadata_and_loads_nothing_heavy(
    tmp_path, trader_environment
):
    from importlib.metadata import version

    completed = subprocess.run(
        [sys.executable, "-c", VERSION_PROBE, *HEAVY],
        capture_output=True,
        text=True,
        env=trader_environment(tmp_path / "home", None),
        cwd=REPO,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    first, loaded = completed.stdout.splitlines()
    assert first == f"trader {version('trader')}"
    assert loaded == "[]"
