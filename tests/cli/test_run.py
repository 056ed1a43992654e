"""``trader run`` for cron end to end on the sim, with a local receiver for the alerts."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest


class Receiver:
    """A local HTTP endpoint standing in for the notification service (apprise's json://)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.messages: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                receiver.messages.append(json.loads(self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_port}/alerts"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def events(tmp_path, kind: str) -> list[tuple]:
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    return database.execute(
        "select command, outcome from event where kind = ? order by id", (kind,)
    ).fetchall()


def test_run_stages_the_plan_and_alerts_with_it(trader_main, config_file, receiver, tmp_path):
    env = {"TRADER_NOTIFY_URLS": receiver.url}
    result = trader_main("--config", str(config_file()), "run", env=env)
    assert result.code == 20, result.err
    assert "staged with 5 order(s)" in result.out
    (alert,) = receiver.messages
    assert alert["title"].startswith("trader: plan ") and "staged (sim " in alert["title"]
    body = alert["message"]
    assert "technology 27.83/20.00 SELL" in body and "nasdaq 0.00/10.00 BUY" in body
    assert "SELL XLK 4.8678 ≈ $900.54" in body
    assert "SELL XLE 12.9 ≈ $799.80 [harvest]" in body and "BUY VDE 6.665" in body
    assert "send: trader execute --confirm" in body
    assert len(body) <= 4096
    assert events(tmp_path, "alert") == [("run", "sent")]
    # The notification URL never reaches the output or the database.
    assert receiver.url not in result.out + result.err
    assert receiver.url.encode() not in (tmp_path / "home" / "trader.db").read_bytes()


def test_run_with_auto_execute_sends_the_plan_on_a_sim_account(trader_main, config_file, receiver):
    config = config_file(("auto_execute: false", "auto_execute: true"))
    result = trader_main("--config", str(config), "run", env={"TRADER_NOTIFY_URLS": receiver.url})
    assert result.code == 21, result.err
    titles = [m["title"] for m in receiver.messages]
    assert len(titles) == 2 and "executed: filled" in titles[1]
    assert (
        "SELL XLK (rebalance): filled, 4.8678 filled at $185.00" in receiver.messages[1]["message"]
    )
    # The bands hold now: the next run finds only harvests to stage (no rebalance is due).
    again = trader_main("--config", str(config), "run", "--no-notify")
    assert again.code in (0, 20, 21), again.err


def test_a_failing_alert_never_fails_the_run(trader_main, config_file, tmp_path):
    broken = Receiver(status=500)
    try:
        env = {"TRADER_NOTIFY_URLS": broken.url}
        result = trader_main("--config", str(config_file()), "run", env=env)
    finally:
        broken.close()
    assert result.code == 20, result.err
    assert len(broken.messages) == 2  # tried, then tried once more
    assert events(tmp_path, "alert") == [("run", "error"), ("run", "error")]


def test_no_notify_silences_a_run(trader_main, config_file, receiver):
    result = trader_main(
        "--config",
        str(config_file()),
        "run",
        "--no-notify",
        env={"TRADER_NOTIFY_URLS": receiver.url},
    )
    assert result.code == 20 and receiver.messages == []


def test_a_weekly_calendar_checks_once_a_week_on_the_sims_calendar(trader_main, config_file):
    # The sim's market date is Tuesday 24 November 2026; Monday's check was missed.
    config = str(config_file(("method: threshold", "method: calendar"), harvest=False))
    status = trader_main("--config", config, "status")
    assert status.code == 0, status.err
    assert "Today: due" in status.out and "catching up on 2026-11-23" in status.out
    first = trader_main("--config", config, "run", "--no-notify")
    assert first.code == 20, first.err  # calendar: every category back to target
    second = trader_main("--config", config, "run", "--no-notify")
    assert second.code == 0 and "was made on 2026-11-24" in second.out
    assert "Next check: 2026-11-30" in trader_main("--config", config, "status").out
    # Thursday is Thanksgiving; Friday is a trading day but not the check day.
    assert trader_main("--config", config, "sim", "clock", "--days", "3").code == 0
    assert trader_main("--config", config, "run", "--no-notify").code == 0
    assert trader_main("--config", config, "sim", "clock", "--days", "3").code == 0  # Monday
    monday = trader_main("--config", config, "run", "--no-notify")
    assert "the weekly check (Monday) is due today" in monday.out, monday.out + monday.err


def test_hybrid_rebalances_on_a_check_day_only_beyond_the_band(trader_main, config_file, tmp_path):
    within = config_file(
        ("method: threshold", "method: hybrid"),
        ("drift_threshold: 5", "drift_threshold: 20"),
        harvest=False,
    )
    quiet = trader_main("--config", str(within), "run", "--no-notify")
    assert quiet.code == 0, quiet.err
    assert "nothing to do" in quiet.out
    # A fresh account: the first one's check of the week is made.
    beyond = config_file(("method: threshold", "method: hybrid"), harvest=False)
    fresh = {"TRADER_HOME": str(tmp_path / "other-home")}
    staged = trader_main("--config", str(beyond), "run", "--no-notify", env=fresh)
    assert staged.code == 20, staged.err


def test_print_cron(trader_main, config_file):
    result = trader_main(
        "--config", str(config_file()), "schedule", "--print-cron", "--cron-tz", "America/New_York"
    )
    assert result.code == 0
    lines = result.out.splitlines()
    assert not any(line.startswith("CRON_TZ") for line in lines)
    assert lines[-1].startswith("35 9 * * 1-5 cd ") and lines[-1].endswith("/run.log 2>&1")
    assert "TRADER_HOME=" in lines[-1] and "mkdir -p -m 700 " in lines[-1]
    assert "--config" in lines[-1]


def test_scores_from_a_file_decide_the_buy(trader_main, config_file, tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "symbol,score,as_of\nVFH,82,2026-11-23\nXLF,40,2026-11-23\nVOO,99,2026-10-01\n"
    )
    config = config_file(extra=f"\nscores_file: {scores}\n", harvest=False)
    plan = json.loads(trader_main("--config", str(config), "plan", "--json").out)
    buys = {o["symbol"]: o for o in plan["orders"] if o["side"] == "buy"}
    assert "VFH" in buys and "XLF" not in buys
    assert "Score: 82/100" in buys["VFH"]["reason"]
    assert any(
        "VOO's score of 2026-10-01 is older than scores_max_age_days (7)" in w
        for w in plan["warnings"]
    )
    listing = trader_main("--config", str(config), "scores")
    assert listing.code == 0, listing.err
    assert "VFH" in listing.out and "82" in listing.out


def test_a_malformed_scores_file_names_the_line(trader_main, config_file, tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text("symbol,score,as_of\nVFH,82,2026-11-23\nXLF,120,2026-11-23\n")
    config = config_file(extra=f"\nscores_file: {scores}\n")
    result = trader_main("--config", str(config), "plan")
    assert result.code == 2
    assert f"{scores}:3: scores_file: XLF: score 120 is not between 0 and 100" in result.err


def test_status_as_json_names_the_next_check(trader_main, config_file):
    threshold = json.loads(trader_main("--config", str(config_file()), "status", "--json").out)
    assert threshold["method"] == "threshold" and threshold["due"] is True
    assert threshold["next_check"] is None and threshold["market_date"] == "2026-11-24"
    calendar = config_file(("method: threshold", "method: calendar"))
    found = json.loads(trader_main("--config", str(calendar), "status", "--json").out)
    assert found["method"] == "calendar" and found["schedule"] != threshold["schedule"]
    assert found["next_check"] is not None and found["next_check"] >= found["market_date"]
