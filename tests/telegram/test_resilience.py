"""The bot under trouble: Telegram's 429s and dropped connections, the broker failing
in the middle of an approved execution, a bot killed between receiving an update and
acknowledging it, and a second bot on the same account."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.requests import GetOrdersRequest

from tests.telegram.conftest import CHAT
from tests.telegram.fake_api import buttons
from tests.telegram.test_buttons import staged_alert
from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer
from trader.telegram.api import TelegramApi

REPO_ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def executions(database) -> list[str]:
    with database() as db:
        return [r["status"] for r in db.execute("select status from execution order by id")]


def test_the_bot_waits_out_a_429_and_dropped_connections(
    trader_main, bot_config, bot_env, telegram, database
):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    telegram.tap(CHAT, message["message_id"], buttons(message)["Approve"])
    telegram.fail("getUpdates", 429, retry_after=1)
    telegram.drop("answerCallbackQuery")
    telegram.fail("editMessageText", 502)
    started = len(telegram.calls)
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    polls = [c.at for c in telegram.calls[started:] if c.method == "getUpdates"]
    assert polls[1] - polls[0] >= 1.0  # retry_after honoured
    assert len(telegram.sent("answerCallbackQuery")) == 2  # the dropped one, tried again
    assert "executed: filled" in telegram.messages[(CHAT, message["message_id"])]["text"]
    assert executions(database) == ["completed"]


def test_telegram_out_of_reach_for_good_is_one_line(
    trader_main, bot_config, bot_env, telegram, monkeypatch
):
    # The waits between the tries are recorded instead of slept (they add up to 15 s).
    waits: list[float] = []
    opened = TelegramApi.__init__

    def recording(self, *args, **kwargs):
        opened(self, *args, **{**kwargs, "sleep": waits.append})

    monkeypatch.setattr(TelegramApi, "__init__", recording)
    telegram.fail("setMyCommands", 500, count=5)
    result = trader_main("--config", str(bot_config()), "bot", "--once", env=bot_env)
    assert result.code == 24, result.err
    assert waits == [1.0, 2.0, 4.0, 8.0]  # 1, 2, 4... seconds between five tries
    assert "cannot set the bot's commands on Telegram after 5 tries" in result.err.splitlines()[-1]
    assert "Traceback" not in result.err


class FailFirstOrder:
    """Makes the sim fail the first order submission and the two lookups that follow it
    (the broker's network failing in the middle of the execution)."""

    def __init__(self, server: SimServer) -> None:
        httpd = server._httpd  # the only private attribute the tests rely on
        assert httpd is not None
        self.armed = True
        hook = self
        base = httpd.RequestHandlerClass

        class Hooked(base):  # type: ignore[valid-type, misc]
            def _handle(self) -> None:
                path = urlsplit(self.path).path
                if hook.armed and self.command == "POST" and path == "/v2/orders":
                    hook.armed = False
                    server.controls.fail_next(3, 500)
                super()._handle()

        httpd.RequestHandlerClass = Hooked


def test_a_broker_failure_while_executing_offers_approve_again(
    trader_main, bot_config, bot_env, telegram, database, paper_env
):
    with SimServer() as server:
        FailFirstOrder(server)
        config = bot_config(
            ("account: sim", "account: paper"),
            ("max_retries: 3", "max_retries: 1"),
            ("fill_timeout_seconds: 60", "fill_timeout_seconds: 2"),
        )
        env = {**bot_env, **paper_env(server)}
        result = trader_main("--config", str(config), "plan", env=env)
        assert result.code == 0, result.err
        message = telegram.last_message(CHAT)
        approve = buttons(message)["Approve"]
        telegram.tap(CHAT, message["message_id"], approve)
        first = trader_main("--config", str(config), "bot", "--once", env=env)
        assert first.code == 0, first.err
        shown = telegram.messages[(CHAT, message["message_id"])]
        assert "Stopped:" in shown["text"] and "Approve again" in shown["text"]
        assert executions(database) == ["interrupted"]
        again = buttons(shown)["Approve"]
        assert again != approve  # a fresh one-time token

        server.controls.clear_faults()
        telegram.tap(CHAT, message["message_id"], again)
        second = trader_main("--config", str(config), "bot", "--once", env=env)
        assert second.code == 0, second.err
        assert "executed: filled" in telegram.messages[(CHAT, message["message_id"])]["text"]
        assert executions(database) == ["interrupted", "completed"]
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)
        with database() as db:
            ours = [
                r["client_order_id"] for r in db.execute("select client_order_id from plan_order")
            ]
        at_broker = Counter(
            o.client_order_id
            for o in client.get_orders(GetOrdersRequest(status="all", limit=500))
            if o.client_order_id in ours
        )
        assert at_broker == Counter(dict.fromkeys(ours, 1))  # each order sent exactly once


def start_bot(config, env, tmp_path, trader_environment) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "trader", "--config", str(config), "bot"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=trader_environment(tmp_path / "home", env),
        cwd=REPO_ROOT,
    )


@pytest.mark.parametrize(
    ("held", "skip", "executed_before_the_kill"),
    [
        ("answerCallbackQuery", 0, False),  # received, not yet handled
        ("editMessageText", 1, True),  # sent and filled, not yet acknowledged
    ],
    ids=["before-sending", "after-sending"],
)
def test_a_restart_between_receiving_and_acknowledging_loses_and_repeats_nothing(
    trader_main,
    bot_config,
    bot_env,
    telegram,
    database,
    tmp_path,
    trader_environment,
    held,
    skip,
    executed_before_the_kill,
):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    tap = telegram.tap(CHAT, message["message_id"], buttons(message)["Approve"])
    telegram.block(held, skip=skip)
    bot = start_bot(config, bot_env, tmp_path, trader_environment)
    try:
        wait_for(telegram.held.is_set, 60, f"the bot to call {held}")
    finally:
        bot.send_signal(signal.SIGKILL)
        bot.communicate(timeout=30)
    assert tap + 1 not in telegram.offsets()  # never acknowledged
    assert executions(database) == (["completed"] if executed_before_the_kill else [])

    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    assert "Handled 1 Telegram update(s)" in result.out  # Telegram sent the tap again
    assert executions(database) == ["completed"]  # once, whichever side of the kill
    shown = telegram.messages[(CHAT, message["message_id"])]
    assert "SELL XLK (rebalance): filled, 4.8678 filled" in shown["text"]
    assert telegram.offsets()[-1] == tap + 1


def test_a_second_bot_on_the_same_account_is_refused(
    trader_main, bot_config, bot_env, telegram, tmp_path, trader_environment
):
    config = bot_config()
    trader_main("--config", str(config), "sync", env=bot_env)  # the sim's state exists
    first = start_bot(config, bot_env, tmp_path, trader_environment)
    try:
        wait_for(lambda: telegram.sent("getUpdates"), 60, "the first bot to poll")
        second = trader_main("--config", str(config), "bot", "--once", env=bot_env)
        assert second.code == 25, second.err
        assert "another trader bot is running on sim:" in second.err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
