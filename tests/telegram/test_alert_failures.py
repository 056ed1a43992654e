"""A failed alert is one warning on the terminal, the same for Telegram and apprise, and
never fails the command; ``trader doctor`` checks both channels before they are needed."""

from __future__ import annotations

import json

from tests.cli.test_run import Receiver


def test_a_failed_apprise_alert_is_a_warning_like_a_failed_telegram_alert(
    trader_main, bot_config, bot_env, telegram
):
    config = str(bot_config())
    broken = Receiver(status=500)
    telegram.fail("sendMessage", status=400, count=10)
    try:
        env = {**bot_env, "TRADER_NOTIFY_URLS": broken.url}
        result = trader_main("--config", config, "plan", env=env)
    finally:
        broken.close()
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert any(w.startswith("warning: Telegram alert failed: ") for w in warnings), result.err
    assert any(w.startswith("warning: apprise alert failed: ") for w in warnings), result.err
    assert "127.0.0.1" not in result.err  # an apprise URL may carry a secret: never shown


def test_doctor_checks_the_telegram_token_and_the_apprise_urls(
    trader_main, bot_config, bot_env, telegram
):
    config = str(bot_config())
    good = trader_main("--config", config, "doctor", "--json", env=bot_env)
    found = {c["name"]: c for c in json.loads(good.out)["checks"]}
    assert found["telegram"]["ok"], found["telegram"]
    assert "@" in found["telegram"]["detail"]  # the bot's user name, from getMe

    env = {**bot_env, "TELEGRAM_BOT_TOKEN": "123:wrong", "TRADER_NOTIFY_URLS": "nosuch://x y"}
    bad = trader_main("--config", config, "doctor", "--json", env=env)
    assert bad.code != 0
    found = {c["name"]: c for c in json.loads(bad.out)["checks"]}
    assert not found["telegram"]["ok"]
    assert "123:wrong" not in bad.out + bad.err
    assert not found["alerts"]["ok"]
    assert "2 of 2" in found["alerts"]["detail"] or "not a URL" in found["alerts"]["detail"]
