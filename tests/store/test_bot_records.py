"""What the Telegram bot keeps: one-time tokens, the update offset, the pause; and the
migration that brought them (a plan's orders and runs survive it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.store.test_plans import T0, staged
from trader.core.domain import AccountMode
from trader.store import open_store
from trader.store.bot import Claim, token_hash
from trader.store.engine import create_engine_for

UID = "7" * 32
LATER = T0 + timedelta(minutes=60)


def issued(store, account_key) -> str:
    store.stage_plan(AccountMode.SIM, staged(UID), account_key=account_key)
    return store.issue_approval(UID, LATER)


def test_a_token_is_stored_only_as_its_hash(store, account_key):
    token = issued(store, account_key)
    assert len(f"a:{UID}:{token}".encode()) <= 64
    with store.engine.connect() as connection:
        (stored,) = connection.execute(text("select token_hash from approval")).all()
    assert stored[0] == token_hash(token) and token not in stored[0]
    assert store.issue_approval(UID, LATER) != token  # random: one per alert


def test_a_token_is_claimed_once_and_a_replay_of_the_same_update_goes_on(store, account_key):
    token = issued(store, account_key)
    claim = store.claim_approval
    assert claim(UID, token, update_id=5, chat_id=1, now=T0) is Claim.CLAIMED
    assert claim(UID, token, update_id=6, chat_id=1, now=T0) is Claim.USED  # a second tap
    assert claim(UID, token, update_id=5, chat_id=1, now=T0) is Claim.CLAIMED  # after a restart
    store.finish_approval(UID, None, "filled")
    assert claim(UID, token, update_id=5, chat_id=1, now=T0) is Claim.DONE
    assert claim(UID, token, update_id=7, chat_id=1, now=T0) is Claim.USED
    assert claim(UID, "y" * 24, update_id=8, chat_id=1, now=T0) is Claim.UNKNOWN
    assert claim("8" * 32, token, update_id=9, chat_id=1, now=T0) is Claim.UNKNOWN


def test_a_token_dies_with_the_plans_ttl(store, account_key):
    token = issued(store, account_key)
    assert store.claim_approval(UID, token, update_id=5, chat_id=1, now=LATER) is Claim.EXPIRED
    early = LATER - timedelta(seconds=1)
    assert store.claim_approval(UID, token, update_id=6, chat_id=1, now=early) is Claim.USED


def test_reject_uses_the_token_and_only_a_staged_plan_is_rejected(store, account_key):
    token = issued(store, account_key)
    assert store.claim_approval(UID, token, update_id=5, chat_id=1, final=True, now=T0) is (
        Claim.CLAIMED
    )
    assert store.claim_approval(UID, token, update_id=6, chat_id=1, now=T0) is Claim.USED
    assert store.reject_plan(UID) == "rejected"
    assert store.staged_plan(AccountMode.SIM, UID).status == "rejected"
    store.stage_plan(AccountMode.SIM, staged("8" * 32, minutes=1), account_key=account_key)
    assert store.staged_plan(AccountMode.SIM).uid == "8" * 32  # a rejected plan is not picked
    store.set_plan_status("8" * 32, "executing")
    store.set_plan_status("8" * 32, "executed")
    assert store.reject_plan("8" * 32) == "executed"


def test_a_live_approval_waits_for_a_reply_to_its_prompt(store, account_key):
    token = issued(store, account_key)
    assert store.claim_approval(UID, token, update_id=5, chat_id=1, now=T0) is Claim.CLAIMED
    store.await_digits(UID, token, prompt_message_id=40)
    assert store.claim_confirmation(1, 41, update_id=6, now=T0) is None  # another message
    assert store.claim_confirmation(2, 40, update_id=6, now=T0) is None  # another chat
    assert store.claim_confirmation(1, 40, update_id=6, now=T0) == (UID, Claim.CLAIMED)
    assert store.claim_confirmation(1, 40, update_id=7, now=T0) == (UID, Claim.USED)
    store.finish_approval(UID, None, "wrong digits")
    assert store.claim_confirmation(1, 40, update_id=6, now=T0) == (UID, Claim.USED)


def test_the_offset_only_moves_forward_per_bot(store):
    assert store.telegram_offset("42") is None
    store.save_telegram_offset("42", 1001)
    store.save_telegram_offset("42", 1000)
    store.save_telegram_offset("43", 5)
    assert (store.telegram_offset("42"), store.telegram_offset("43")) == (1001, 5)


def test_pause_is_per_mode_and_keeps_the_first(store):
    first = store.pause(AccountMode.SIM, "from Telegram chat 1")
    assert store.pause(AccountMode.SIM, "from Telegram chat 2") == first
    assert store.paused(AccountMode.PAPER) is None
    assert store.resume(AccountMode.SIM) == first
    assert store.resume(AccountMode.SIM) is None and store.paused(AccountMode.SIM) is None


def test_migrating_to_0008_keeps_every_plan_order_and_run(tmp_path):
    from alembic import command

    from trader.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0007")
            connection.execute(
                text(
                    "INSERT INTO plan (id, uid, mode, status, created_at, method, input_hash,"
                    " equity, investable, cash, cash_after, payload, basis) VALUES (1, :uid,"
                    " 'sim', 'staged', '2026-11-24 15:00:00.000000', 'threshold', 'h', '1',"
                    " '1', '1', '1', '{}', '{}')"
                ),
                {"uid": UID},
            )
            connection.execute(
                text(
                    "INSERT INTO plan_order (plan_id, seq, client_order_id, symbol, side, qty,"
                    " est_price, est_value, category, reason, status, filled_qty) VALUES"
                    " (1, 1, 'c1', 'XLK', 'sell', '1', '1', '1', 'technology', 'r', 'filled', '1')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO execution (plan_id, started_at, status, detail) VALUES"
                    " (1, '2026-11-24 15:01:00.000000', 'completed', '{}')"
                )
            )
    finally:
        engine.dispose()
    store = open_store(url)
    try:
        plan = store.staged_plan(AccountMode.SIM, UID)
        assert [o.status for o in plan.orders] == ["filled"]
        assert [run["status"] for run in store.executions(UID)] == ["completed"]
        store.set_plan_status(UID, "rejected")  # the new status passes the constraint
        assert store.staged_plan(AccountMode.SIM, UID).status == "rejected"
    finally:
        store.close()
