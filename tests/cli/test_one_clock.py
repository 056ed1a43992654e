"""``trader orders`` and ``trader history`` show their times on one clock, with its zone:
on the sim, whose own clock is not the wall clock, an order trader sent is shown at the
time trader sent it, as its plan's run is, not at the sim's time."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime


def times(out: str) -> list[datetime]:
    found = re.findall(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) (E[SD]T)", out)
    assert found, out
    return [datetime.strptime(f"{d} {t}", "%Y-%m-%d %H:%M") for d, t, _ in found]


def test_orders_and_history_show_one_clock(trader_main, config_file):
    config = str(config_file(harvest=False))
    sim_now = json.loads(trader_main("--config", config, "sim", "clock").out)["now"]
    assert sim_now[:10] != datetime.now(UTC).date().isoformat()  # the two clocks differ
    assert trader_main("--config", config, "plan").code == 0
    assert trader_main("--config", config, "execute", "--confirm").code == 0
    wide = {"COLUMNS": "200"}
    history = trader_main("--config", config, "history", env=wide)
    orders = trader_main("--config", config, "orders", env=wide)
    assert history.code == 0 and orders.code == 0, (history.err, orders.err)
    (made,) = times(history.out)
    ours = [line for line in orders.out.splitlines() if "(not trader's)" not in line]
    sent = times("\n".join(ours))
    assert len(sent) == 3
    for moment in sent:
        assert abs((moment - made).total_seconds()) < 600, (moment, made)
    assert "New York" in orders.out and "New York" in history.out  # the zone is named
    listed = json.loads(trader_main("--config", config, "orders", "--json").out)
    assert all(row["sent_at"] for row in listed if row["plan_id"])
