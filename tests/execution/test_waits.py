"""How long ``trader execute --confirm`` waits, and what it leaves when it stops waiting:
one fill timeout at most when nothing new is sent after the sells, no wait at all for
orders queued while the market is closed, and a record and a way on after Ctrl-C."""

from __future__ import annotations

import time

TIMEOUT = 4.0


def test_no_second_wait_when_every_buy_is_dropped(account):
    # XLK's sell never fills, and a reserve this large leaves no cash for either buy.
    acct = account(
        ("fill_timeout_seconds: 2", f"fill_timeout_seconds: {TIMEOUT:g}"),
        ("cash_reserve: 1000", "cash_reserve: 1000000"),
    )
    acct.server.controls.set_fill_ratio("XLK", "0")
    started = time.monotonic()
    result = acct.execute()
    elapsed = time.monotonic() - started
    assert result.code == 18, result.out + result.err
    sell, qqq, xlf = acct.orders()
    assert sell["status"] in ("accepted", "submitted", "partially_filled"), sell
    assert qqq["status"] == xlf["status"] == "skipped"
    assert len(acct.posts()) == 1  # the sell alone was sent
    # One wait of 4 s and the process's own start-up, never two waits (8 s and more).
    assert TIMEOUT <= elapsed < 1.5 * TIMEOUT + 2.5, elapsed


def test_orders_queued_while_the_market_is_closed_are_reported_at_once(account):
    acct = account(("fill_timeout_seconds: 2", "fill_timeout_seconds: 30"))
    acct.server.controls.close_market()
    started = time.monotonic()
    result = acct.execute("--allow-queued")
    elapsed = time.monotonic() - started
    assert result.code == 19, result.out + result.err
    assert elapsed < 15, elapsed  # no wait for fills that cannot come before the open
    assert [o["status"] for o in acct.orders()] == ["accepted"] * 3
    assert len(acct.posts()) == 3
    assert "queued" in result.out and "until the market opens" in result.out
    assert "not filled in 30 s" not in result.out
