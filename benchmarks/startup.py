"""Start-up: the whole-process wall time of a few ``trader`` commands, against a bare
``python -c "import typer"`` measured in the same run.

``python -m benchmarks.startup [runs]``: each command runs ``runs`` times (default 7),
the commands taking turns so that a busy machine slows them all alike, and the median
of each is printed with its ratio to the median of ``import typer``:

- ``trader --help`` (target: within 3x) and ``trader plan --help``;
- ``trader plan`` on the embedded sim (target: within 8x), after one plan that creates
  the database and the sim's state, as they are on every run but the first;
- ``trader sync`` of a paper account served by ``trader sim serve`` in another process;
- the floor under ``trader plan``: one process importing only the libraries every plan
  needs (typer, SQLModel with SQLAlchemy and pydantic, PyYAML, rich, and alpaca-py's
  trading client as ``trader.broker.alpaca`` loads it), with none of trader's own work.
  When the floor alone is above a target, no change to trader's code can meet it.

Everything happens in a temporary folder with its own ``TRADER_HOME``: the repository's
``.trader/`` and ``paper_logs/`` are not touched, and no real key is used.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "config" / "portfolio_allocation.yaml"
RUNS = 7
TARGETS = {"trader --help": 3.0, "trader plan (embedded sim)": 8.0}
FLOOR = "libraries plan imports (floor)"
PLAN_LIBRARIES = (
    "typer",
    "sqlmodel",
    "sqlalchemy.orm",
    "yaml",
    "rich.console",
    "trader.broker.alpaca",
)


def trader_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m trader``."""
    script = Path(sys.executable).parent / "trader"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "trader"]


def clean_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("APCA_", "TELEGRAM_", "TRADER_"))
    }
    environment.update({"TRADER_HOME": str(home), "COLUMNS": "120", **(extra or {})})
    return environment


def write_config(folder: Path, account: str) -> Path:
    text = SHIPPED_CONFIG.read_text().replace("account: sim", f"account: {account}", 1)
    text = text.replace("reports_dir: paper_logs", f"reports_dir: {folder / 'paper_logs'}", 1)
    path = folder / f"{account}.yaml"
    path.write_text(text)
    return path


def run_once(command: Sequence[str], environment: dict[str, str], folder: Path) -> float:
    """Wall time of one whole process, start to exit; a failure stops the benchmark."""
    started = time.perf_counter()
    completed = subprocess.run(
        list(command), capture_output=True, text=True, env=environment, cwd=folder, timeout=120
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr}")
    return elapsed


def start_sim_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """``trader sim serve`` on a free port, with a home of its own; (process, URL)."""
    home = folder / "sim-home"
    process = subprocess.Popen(
        [*trader_command(), "sim", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_environment(home),
        cwd=folder,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # "trader sim listening on http://127.0.0.1:PORT"
    if "listening on " not in first:
        process.kill()
        raise RuntimeError(f"trader sim serve did not start: {first!r}")
    return process, first.rsplit(" ", 1)[-1].strip()


def measure(runs: int, folder: Path, server_url: str) -> dict[str, list[float]]:
    trader = trader_command()
    embedded = write_config(folder, "sim")
    paper = write_config(folder, "paper")
    home = folder / "home"
    served = {
        "APCA_API_BASE_URL": server_url,
        "APCA_API_KEY_ID": SIM_KEY_ID,
        "APCA_API_SECRET_KEY": SIM_SECRET_KEY,
    }
    commands = {
        'python -c "import typer"': ([sys.executable, "-c", "import typer"], None),
        "trader --help": ([*trader, "--help"], None),
        "trader plan --help": ([*trader, "plan", "--help"], None),
        "trader plan (embedded sim)": (
            [*trader, "--config", str(embedded), "plan", "--no-notify"],
            None,
        ),
        "trader sync (trader sim serve)": (
            [*trader, "--config", str(paper), "sync"],
            served,
        ),
        FLOOR: ([sys.executable, "-c", f"import {', '.join(PLAN_LIBRARIES)}"], None),
    }
    environments = {
        name: clean_environment(home if extra is None else folder / "paper-home", extra)
        for name, (_, extra) in commands.items()
    }
    for name in ("trader plan (embedded sim)", "trader sync (trader sim serve)"):
        run_once(commands[name][0], environments[name], folder)  # the database, the sim state
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, _) in commands.items():
            times[name].append(run_once(command, environments[name], folder))
    return times


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    runs = int(args[0]) if args else RUNS
    with tempfile.TemporaryDirectory(prefix="trader-startup-") as temporary:
        folder = Path(temporary)
        server, url = start_sim_server(folder)
        try:
            times = measure(runs, folder, url)
        finally:
            server.terminate()
            server.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians['python -c "import typer"']
    print(f"Whole-process wall time, median of {runs} runs each ({os.cpu_count()} CPUs):")
    missed = []
    for name, median in medians.items():
        ratio = median / base
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  target {target:g}x: {'met' if ratio <= target else 'MISSED'}"
            if ratio > target:
                missed.append(name)
        print(f"  {name:<32} {median * 1000:7.0f} ms  {ratio:5.1f}x{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
