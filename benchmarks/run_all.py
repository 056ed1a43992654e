"""Run every benchmark module in this folder: ``python -m benchmarks.run_all``.

A benchmark module is any ``benchmarks/*.py`` other than this one and ``__init__``
that defines ``main() -> int``; they run in name order and the exit code is the
first non-zero one (or 0).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmark_modules() -> list[str]:
    names = [info.name for info in pkgutil.iter_modules([str(HERE)])]
    return sorted(name for name in names if name not in {"run_all", "__init__"})


def main() -> int:
    status = 0
    for name in benchmark_modules():
        module = importlib.import_module(f"benchmarks.{name}")
        run = getattr(module, "main", None)
        if run is None:
            continue
        print(f"== benchmarks.{name}", flush=True)
        start = time.perf_counter()
        code = run() or 0
        print(f"== benchmarks.{name}: exit {code} in {time.perf_counter() - start:.1f} s\n")
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
