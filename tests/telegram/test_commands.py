"""The bot's commands — /pause then ``trader run``, /resume, /status, /plan, /help — and
what it needs from the environment."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import CHAT
from tests.telegram.fake_api import TOKEN, buttons


def bot_once(trader_main, config, env):
    result = trader_main("--config", str(config), "bot", "--once", env=env)
    assert result.code == 0, result.err
    return result


def test_pause_stops_trader_run_until_resume(trader_main, bot_config, bot_env, telegram, database):
    config = bot_config()
    telegram.say(CHAT, "/pause")
    bot_once(trader_main, config, bot_env)
    assert telegram.last_message(CHAT)["text"].startswith("Paused since")

    status = trader_main("--config", str(config), "status", env=bot_env)
    assert status.code == 0, status.err
    assert "Paused since" in status.out and f"from Telegram chat {CHAT}" in status.out
    as_json = trader_main("--config", str(config), "status", "--json", env=bot_env)
    assert f"from Telegram chat {CHAT}" in as_json.out

    sent = len(telegram.sent("sendMessage"))
    run = trader_main("--config", str(config), "run", env=bot_env)
    assert run.code == 0, run.err
    assert "Paused since" in run.out
    assert len(telegram.sent("sendMessage")) == sent  # no alert
    with database() as db:
        assert db.execute("select count(*) from plan").fetchone()[0] == 0

    telegram.say(CHAT, "/resume")
    bot_once(trader_main, config, bot_env)
    assert telegram.last_message(CHAT)["text"].startswith("Resumed")
    run = trader_main("--config", str(config), "run", env=bot_env)
    assert run.code == 20, run.err
    assert "Paused" not in trader_main("--config", str(config), "status", env=bot_env).out


def test_status_plan_and_help(trader_main, bot_config, bot_env, telegram):
    config = bot_config()
    telegram.say(CHAT, "/status")
    bot_once(trader_main, config, bot_env)
    status = telegram.last_message(CHAT)["text"]
    assert status.startswith("Account: sim, method threshold")
    assert "technology 27.83% / 20.00%, +7.83 SELL" in status
    assert "Last plan: none yet." in status

    telegram.say(CHAT, "/plan@trader_bot")
    bot_once(trader_main, config, bot_env)
    alert = telegram.last_message(CHAT)
    assert "staged" in alert["text"] and list(buttons(alert)) == ["Approve", "Reject", "Details"]
    # /plan answers the chat that asked, not every allowed chat.
    assert [m["chat_id"] for m in telegram.sent("sendMessage")].count(222) == 0

    telegram.say(CHAT, "/status")
    telegram.say(CHAT, "hello")
    bot_once(trader_main, config, bot_env)
    texts = [m["text"] for m in telegram.sent("sendMessage")[-2:]]
    assert "Last plan: " in texts[0] and ", staged, " in texts[0]
    assert texts[1].startswith("trader bot: your plans") and "/pause" in texts[1]
    (commands,) = {str(c["commands"]) for c in telegram.sent("setMyCommands")}
    assert "status" in commands and "resume" in commands


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TELEGRAM_CHAT_ID": "111"}, "needs TELEGRAM_BOT_TOKEN in the environment"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_CHAT_ID": "111,me"}, "'me' is not a chat id"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token", "TELEGRAM_CHAT_ID": "1"}, "does not look like"),
    ],
    ids=["no-token", "bad-chat", "bad-token"],
)
def test_a_bot_without_its_environment_says_what_is_missing(trader_main, bot_config, env, message):
    result = trader_main("--config", str(bot_config()), "bot", "--once", env=env)
    assert result.code == 2
    assert result.err.startswith("error: ") and message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_a_token_telegram_refuses_is_one_line_without_the_token(trader_main, bot_config, telegram):
    env = {"TELEGRAM_BOT_TOKEN": "42:AAwrong-token-entirely", "TELEGRAM_CHAT_ID": "1"}
    result = trader_main("--config", str(bot_config()), "bot", "--once", env=env)
    assert result.code == 23, result.err
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in result.err
    assert "AAwrong" not in result.err + result.out
