"""The plan alert's buttons, end to end: ``trader run`` on the sim sends the alert to the
fake Telegram server, a tap is queued there, and ``trader bot --once`` handles it."""

from __future__ import annotations

from tests.telegram.conftest import CHAT, STRANGER
from tests.telegram.fake_api import TOKEN, buttons


def staged_alert(trader_main, config, env, telegram) -> tuple[dict, str]:
    """``trader run`` stages the seed plan and alerts: the alert message and the plan id."""
    result = trader_main("--config", str(config), "run", env=env)
    assert result.code == 20, result.err
    (alert,) = [m for m in telegram.sent("sendMessage") if m["chat_id"] == CHAT]
    message = telegram.last_message(CHAT)
    assert message["text"] == alert["text"]
    plan_id = buttons(message)["Approve"].split(":")[1]
    return message, plan_id


def test_run_alerts_with_buttons_and_one_tap_executes_the_plan_once(
    trader_main, bot_config, bot_env, telegram, database, tmp_path
):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    # Every allowed chat gets the alert; the buttons carry the plan and a token, in 64 bytes.
    assert sorted(m["chat_id"] for m in telegram.sent("sendMessage")) == [CHAT, 222]
    keys = buttons(message)
    assert list(keys) == ["Approve", "Reject", "Details"]
    assert all(len(data.encode()) <= 64 for data in keys.values())
    assert "SELL XLK 4.8678" in message["text"] and "Approve sends it now" in message["text"]
    approve = keys["Approve"]
    token = approve.split(":")[2]
    with database() as db:
        (stored,) = db.execute("select token_hash, state from approval").fetchall()
    assert stored["state"] == "issued" and token not in stored["token_hash"]

    tap = telegram.tap(CHAT, message["message_id"], approve)
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    assert "Handled 1 Telegram update(s)" in result.out
    (answer,) = telegram.sent("answerCallbackQuery")
    assert answer["text"].startswith("Approved")
    shown = telegram.messages[(CHAT, message["message_id"])]
    assert "executed: filled" in shown["text"]
    assert "SELL XLK (rebalance): filled, 4.8678 filled at $185.00" in shown["text"]
    assert buttons(shown) == {}  # the buttons are gone
    with database() as db:
        plan = db.execute("select status from plan where uid = ?", (plan_id,)).fetchone()
        runs = db.execute("select status from execution").fetchall()
        orders = db.execute("select status from plan_order").fetchall()
    assert plan["status"] == "executed"
    assert [r["status"] for r in runs] == ["completed"]
    assert {o["status"] for o in orders} == {"filled"}
    # Acknowledged: the next poll asks for the updates after the tap.
    assert telegram.offsets()[-1] == tap + 1

    # The same tap again (a double press, a replayed request): nothing more happens.
    telegram.tap(CHAT, message["message_id"], approve)
    edits = len(telegram.sent("editMessageText"))
    again = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert again.code == 0, again.err
    assert telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Already used")
    assert len(telegram.sent("editMessageText")) == edits
    with database() as db:
        assert len(db.execute("select id from execution").fetchall()) == 1
    # The token never reaches the output or the database.
    database_bytes = (tmp_path / "home" / "trader.db").read_bytes()
    for secret in (TOKEN, token):
        assert secret not in result.out + result.err + again.out + again.err
        assert secret.encode() not in database_bytes


def test_a_tap_after_the_plans_ttl_is_refused(trader_main, bot_config, bot_env, telegram, database):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    with database() as db:  # an hour and more goes by
        db.execute("update approval set expires_at = '2026-01-01 00:00:00.000000'")
        db.execute("update plan set created_at = '2026-01-01 00:00:00.000000'")
    telegram.tap(CHAT, message["message_id"], buttons(message)["Approve"])
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    assert telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Expired")
    shown = telegram.messages[(CHAT, message["message_id"])]
    assert "Expired" in shown["text"] and buttons(shown) == {}
    with database() as db:
        assert db.execute("select status from plan").fetchone()["status"] == "staged"
        assert db.execute("select count(*) from execution").fetchone()[0] == 0
        assert db.execute("select outcome from approval").fetchone()["outcome"] == "expired"


def test_a_tap_from_a_foreign_chat_does_nothing_and_is_logged(
    trader_main, bot_config, bot_env, telegram, database
):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    approve = buttons(message)["Approve"]
    calls = len(telegram.calls)
    telegram.tap(STRANGER, message["message_id"], approve)
    telegram.say(STRANGER, "/status")
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    # Nothing answered, sent or edited: only the bot's own polling and its command list.
    answered = {c.method for c in telegram.calls[calls:]}
    assert answered <= {"getUpdates", "setMyCommands", "getMe"}, answered
    with database() as db:
        refused = db.execute(
            "select detail from event where kind = 'telegram' and outcome = 'refused'"
        ).fetchall()
        assert db.execute("select status from plan").fetchone()["status"] == "staged"
        assert db.execute("select state from approval").fetchone()["state"] == "issued"
    assert len(refused) == 2 and all(f'"chat_id":{STRANGER}' in r["detail"] for r in refused)
    # The stranger's tap did not use the token: the owner's tap still works.
    telegram.tap(CHAT, message["message_id"], approve)
    assert trader_main("--config", str(config), "bot", "--once", env=bot_env).code == 0
    assert "executed: filled" in telegram.messages[(CHAT, message["message_id"])]["text"]


def test_reject_marks_the_plan_rejected_and_execute_refuses_it(
    trader_main, bot_config, bot_env, telegram, database
):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    keys = buttons(message)
    telegram.tap(CHAT, message["message_id"], keys["Reject"])
    telegram.tap(CHAT, message["message_id"], keys["Approve"])  # too late: the token is used
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    first, second = telegram.sent("answerCallbackQuery")
    assert first["text"] == "Rejected." and second["text"].startswith("Already used")
    shown = telegram.messages[(CHAT, message["message_id"])]
    assert f"Rejected: plan {plan_id[:8]} will never be sent." in shown["text"]
    with database() as db:
        assert db.execute("select status from plan").fetchone()["status"] == "rejected"
    execute = trader_main("--config", str(config), "execute", "--confirm", "--plan", plan_id)
    assert execute.code == 15 and "was rejected" in execute.err
    latest = trader_main("--config", str(config), "execute", "--confirm")
    assert latest.code == 15 and "rejected" in latest.err


def test_details_sends_the_full_review(trader_main, bot_config, bot_env, telegram):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    telegram.tap(CHAT, message["message_id"], buttons(message)["Details"])
    result = trader_main("--config", str(config), "bot", "--once", env=bot_env)
    assert result.code == 0, result.err
    review = telegram.last_message(CHAT)["text"]
    assert review.startswith(f"Plan {plan_id} (sim, staged)")
    assert "technology 27.83% / 20.00%" in review and "SELL XLK 4.8678" in review
    # Details uses no token: Approve still works after it.
    assert buttons(telegram.messages[(CHAT, message["message_id"])])["Approve"]


def test_a_forged_button_does_nothing(trader_main, bot_config, bot_env, telegram, database):
    config = bot_config()
    message, plan_id = staged_alert(trader_main, config, bot_env, telegram)
    telegram.tap(CHAT, message["message_id"], f"a:{plan_id}:{'x' * 24}")
    assert trader_main("--config", str(config), "bot", "--once", env=bot_env).code == 0
    assert telegram.sent("answerCallbackQuery")[-1]["text"].startswith("Unknown button")
    with database() as db:
        assert db.execute("select status from plan").fetchone()["status"] == "staged"
