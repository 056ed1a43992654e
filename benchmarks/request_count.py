"""How many broker requests a ``trader plan`` costs as the account grows.

``python -m benchmarks.request_count``: a paper account on the local paper broker holds
5, then 500 synthetic stocks (one category) beside two unheld bond ETFs. Each is
planned three times: the day's first plan reads the assets (and the fills) once, the
next plans only what changes. The requests are counted at the broker, by endpoint.
The steady-state count must not grow with the number of positions.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer
from trader.sim.assets import synthetic_symbols

POSITIONS = (5, 500)
PLANS = 3


def config_for(count: int, folder: Path) -> Path:
    symbols = ", ".join(synthetic_symbols(count))
    path = folder / f"stocks-{count}.yaml"
    path.write_text(
        "account: paper\n"
        "target_allocation: {stocks: 90, bonds: 10}\n"
        f"categories: {{stocks: [{symbols}], bonds: [TLT, IEF]}}\n"
        "risk_management: {max_single_position: 100, tax_loss_harvesting: false}\n"
        "portfolio: {cash_reserve: 100}\n"
        f"reports_dir: {folder / 'reports'}\n"
        # Requests are counted, not timed: a busy machine must not turn into a timeout.
        "broker: {timeout_seconds: 120}\n"
    )
    return path


def count_requests(count: int, plans: int = PLANS) -> list[Counter[tuple[str, str]]]:
    """The requests of each of ``plans`` consecutive plans, by (method, path)."""
    from trader.cli.app import main

    folder = Path(tempfile.mkdtemp(prefix=f"trader-requests-{count}-"))
    config = config_for(count, folder)
    counts: list[Counter[tuple[str, str]]] = []
    saved = dict(os.environ)
    with SimServer(scenario=f"stocks-{count}") as sim:
        os.environ.update(
            {
                "APCA_API_BASE_URL": sim.url,
                "APCA_API_KEY_ID": SIM_KEY_ID,
                "APCA_API_SECRET_KEY": SIM_SECRET_KEY,
                "TRADER_HOME": str(folder / "home"),
            }
        )
        try:
            for _ in range(plans):
                sim.controls.clear_requests()
                with redirect_stdout(StringIO()):
                    try:
                        main(["--config", str(config), "plan", "--json"])
                    except SystemExit as exc:
                        if exc.code not in (0, None):
                            raise RuntimeError(f"trader plan exited {exc.code}") from None
                counts.append(Counter((r["method"], r["path"]) for r in sim.controls.requests()))
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return counts


def main() -> int:
    steady: dict[int, int] = {}
    for count in POSITIONS:
        plans = count_requests(count)
        totals = [sum(plan.values()) for plan in plans]
        steady[count] = totals[-1]
        print(f"{count:>4} positions: requests per plan {totals} (first, then steady state)")
        for (method, path), n in sorted(plans[-1].items()):
            print(f"       {n:>3}  {method} {path}")
    same = len(set(steady.values())) == 1
    print(f"steady state: {steady} requests: {'the same' if same else 'NOT the same'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
