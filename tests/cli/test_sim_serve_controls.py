"""``trader sim …`` while ``trader sim serve`` runs: the commands steer the running server
(the one of this home, or the one a paper account's ``APCA_API_BASE_URL`` points at)
through its ``/sim/...`` endpoints, and refuse an account that is no sim."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, clean_environment
from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY


@contextmanager
def serving(home: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``trader sim serve`` in its own process on ``home``, as a user runs it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "trader", "sim", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_environment(home, {"PYTHONUNBUFFERED": "1"}),
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "listening on" in first, (first, process.stderr and process.stderr.read())
        yield first.split("listening on", 1)[1].strip(), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)


def ask(url: str, path: str) -> Any:
    request = urllib.request.Request(
        url + path,
        headers={"APCA-API-KEY-ID": SIM_KEY_ID, "APCA-API-SECRET-KEY": SIM_SECRET_KEY},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def latest_price(url: str, symbol: str) -> str:
    return str(ask(url, f"/v2/stocks/trades/latest?symbols={symbol}")["trades"][symbol]["p"])


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def test_sim_commands_steer_the_running_server_of_this_home(trader_main, home):
    with serving(home) as (url, _):
        cash = ask(url, "/v2/account")["cash"]
        result = trader_main("sim", "price", "XLK", "190.25")
        assert result.code == 0, result.err
        assert "XLK now 190.25" in result.out
        assert url in result.out  # it says which server it changed
        assert float(latest_price(url, "XLK")) == 190.25

        assert trader_main("sim", "deposit", "5000").code == 0
        assert float(ask(url, "/v2/account")["cash"]) == float(cash) + 5000

        paid = trader_main("sim", "dividend", "XLK", "0.50")
        assert paid.code == 0, paid.err
        assert "DIV" in json.dumps(ask(url, "/v2/account/activities/DIV"))

        moved = trader_main("sim", "clock", "--days", "1")
        assert moved.code == 0, moved.err
        assert json.loads(moved.out.strip().splitlines()[-1]) == ask(url, "/sim/clock")

        blocked = trader_main("sim", "block")
        assert blocked.code == 0, blocked.err
        assert ask(url, "/v2/account")["trading_blocked"] is True
        assert trader_main("sim", "block", "--off").code == 0

        margin = trader_main("sim", "margin", "--multiplier", "2")
        assert margin.code == 0, margin.err
        assert ask(url, "/v2/account")["multiplier"] == "2"

        # The server's next write keeps what the commands did: its state is the one changed.
        assert trader_main("sim", "price", "XLV", "150.00").code == 0
        saved = json.loads((home / "sim_state.json").read_text())
        assert saved["prices"]["XLK"] == "190.25" and saved["prices"]["XLV"] == "150.00"

        reset = trader_main("sim", "reset", "--scenario", "empty")
        assert reset.code == 0, reset.err
        assert ask(url, "/v2/positions") == []


def test_a_refused_control_is_one_usage_error_naming_the_value(trader_main, home):
    with serving(home):
        result = trader_main("sim", "price", "NOSUCH", "10")
        assert result.code == 2
        assert "unknown symbol 'NOSUCH'" in result.err
        assert "Traceback" not in result.err


def test_the_embedded_sim_account_uses_the_running_server_of_its_home(trader_main, home):
    with serving(home) as (url, _):
        synced = trader_main("sync")
        assert synced.code == 0, synced.err
        assert any(entry["path"] == "/v2/positions" for entry in ask(url, "/sim/requests"))


def test_a_second_server_on_the_same_home_is_refused(trader_main, home):
    with serving(home) as (url, _):
        second = subprocess.run(
            [sys.executable, "-m", "trader", "sim", "serve"],
            capture_output=True,
            text=True,
            env=clean_environment(home),
            cwd=REPO,
            timeout=30,
        )
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and url in lines[0], second.stderr


def test_a_killed_server_leaves_no_claim_behind(trader_main, home):
    with serving(home) as (_, process):
        process.kill()
        process.wait(timeout=10)
    result = trader_main("sim", "price", "XLK", "190.25")
    assert result.code == 0, result.err
    assert json.loads((home / "sim_state.json").read_text())["prices"]["XLK"] == "190.25"


def paper_config(tmp_path: Path) -> Path:
    config = tmp_path / "paper.yaml"
    text = (REPO / "config" / "portfolio_allocation.yaml").read_text()
    assert "account: sim" in text
    config.write_text(text.replace("account: sim", "account: paper", 1))
    return config


def test_a_paper_account_at_alpaca_refuses_sim_commands_and_creates_no_sim(trader_main, tmp_path):
    config = paper_config(tmp_path)
    for words in (("price", "XLK", "190"), ("deposit", "100"), ("clock",), ("reset",)):
        result = trader_main("--config", str(config), "sim", *words)
        assert result.code == 2, (words, result.out, result.err)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and "account 'paper'" in lines[0], result.err
    assert not (tmp_path / "home" / "sim_state.json").exists()


def test_a_paper_account_on_a_trader_sim_steers_that_sim(
    trader_main, tmp_path, shared_sim, paper_env
):
    config = paper_config(tmp_path)
    with shared_sim("default") as server:
        result = trader_main(
            "--config", str(config), "sim", "price", "XLK", "177.77", env=paper_env(server)
        )
        assert result.code == 0, result.err
        assert float(latest_price(server.url, "XLK")) == 177.77
    assert not (tmp_path / "home" / "sim_state.json").exists()


def test_a_live_account_refuses_sim_commands(trader_main, tmp_path):
    config = tmp_path / "live.yaml"
    config.write_text(paper_config(tmp_path).read_text().replace("account: paper", "account: live"))
    result = trader_main("--config", str(config), "sim", "price", "XLK", "190")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and "account 'live'" in result.err


def test_sim_glitch_steers_the_running_server_and_off_clears_it(trader_main, home):
    with serving(home) as (url, _):
        true = float(latest_price(url, "QQQ"))
        result = trader_main("sim", "glitch", "QQQ", "--latest", "0.1")
        assert result.code == 0, result.err
        assert "QQQ glitched: latest trade x0.1" in result.out and url in result.out
        assert float(latest_price(url, "QQQ")) == pytest.approx(true / 10, abs=0.01)
        saved = json.loads((home / "sim_state.json").read_text())
        assert saved["glitches"]["QQQ"]["latest"] == "0.1"

        refused = trader_main("sim", "glitch", "QQQ", "--quote", "-1")
        assert refused.code == 2 and "--quote" in refused.err
        assert "Traceback" not in refused.err
        assert trader_main("sim", "glitch", "QQQ").code == 2  # no factor: nothing to do

        off = trader_main("sim", "glitch", "--off")
        assert off.code == 0, off.err
        assert float(latest_price(url, "QQQ")) == true
