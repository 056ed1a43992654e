"""Recording syncs: accounts, snapshots rebuilt as domain values, deduplicated fills, atomicity."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import text

from trader.core.domain import AccountMode, Side
from trader.errors import StorageError


def row_counts(store) -> dict[str, int]:
    tables = ("sync_snapshot", "snapshot_position", "snapshot_order", "fill")
    with store.engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables
        }


# --- accounts ------------------------------------------------------------------------------


def test_ensure_account_returns_the_same_key_for_the_same_account(store, samples):
    first = store.ensure_account(AccountMode.PAPER, samples.account())
    again = store.ensure_account(AccountMode.PAPER, samples.account(status="ACCOUNT_UPDATED"))
    assert again == first


def test_the_same_broker_account_in_another_mode_is_another_account(store, samples):
    paper = store.ensure_account(AccountMode.PAPER, samples.account())
    live = store.ensure_account(AccountMode.LIVE, samples.account())
    assert paper != live


def test_ensure_account_updates_the_masked_number_and_never_stores_the_full_one(store, samples):
    key = store.ensure_account(AccountMode.PAPER, samples.account())
    store.ensure_account(AccountMode.PAPER, samples.account(account_number="PA3K7QX2ZZZZ"))
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, account_number_masked FROM account ORDER BY id")
        ).all()
    assert rows == [(key, "********ZZZZ")]


# --- snapshots -----------------------------------------------------------------------------


def test_latest_snapshot_rebuilds_the_same_domain_values(store, samples, account_key):
    fills = (samples.fill("a-1", minutes=-5), samples.fill("a-2", minutes=-1, side=Side.SELL))
    snapshot = samples.snapshot(fills=fills)
    store.record_sync(account_key, snapshot)

    rebuilt = store.latest_snapshot(account_key)

    # Only the masked account number is stored, so that is what comes back.
    expected_account = replace(snapshot.account, account_number="********M9LD")
    assert rebuilt == replace(snapshot, account=expected_account)
    assert rebuilt.account.masked_number == snapshot.account.masked_number


def test_latest_snapshot_is_the_newest_one(store, samples, account_key):
    assert store.latest_snapshot(account_key) is None
    store.record_sync(account_key, samples.snapshot(minutes=0))
    newest = store.record_sync(
        account_key, samples.snapshot(minutes=10, positions=(samples.position("VXUS"),))
    )
    store.record_sync(account_key, samples.snapshot(minutes=5))  # arrives late, is older

    latest = store.latest_snapshot(account_key)
    assert [p.symbol for p in latest.positions] == ["VXUS"]
    assert newest > 0


def test_an_empty_account_round_trips(store, samples, account_key):
    snapshot = samples.snapshot(positions=(), open_orders=())
    store.record_sync(account_key, snapshot)
    assert store.latest_snapshot(account_key).positions == ()


def test_record_sync_stamps_the_account_as_synced(store, samples, account_key):
    snapshot = samples.snapshot(minutes=7)
    store.record_sync(account_key, snapshot)
    with store.engine.connect() as connection:
        stamped = connection.execute(text("SELECT last_synced FROM account")).scalar_one()
    assert stamped is not None


# --- fills ---------------------------------------------------------------------------------


def test_fills_seen_by_two_syncs_are_stored_once(store, samples, account_key):
    first = (samples.fill("a-1", minutes=1), samples.fill("a-2", minutes=2))
    overlapping = (samples.fill("a-2", minutes=2), samples.fill("a-3", minutes=3))
    store.record_sync(account_key, samples.snapshot(minutes=5, fills=first))
    second_id = store.record_sync(account_key, samples.snapshot(minutes=10, fills=overlapping))

    assert [f.activity_id for f in store.fills(account_key)] == ["a-1", "a-2", "a-3"]
    assert [f.activity_id for f in store.latest_snapshot(account_key).fills] == ["a-3"]
    assert row_counts(store)["fill"] == 3
    assert second_id > 0


def test_a_fill_repeated_within_one_sync_is_stored_once(store, samples, account_key):
    fill = samples.fill("a-1")
    store.record_sync(account_key, samples.snapshot(fills=(fill, fill)))
    assert store.fills(account_key) == [fill]


def test_fill_deduplication_is_per_account(store, samples, account_key):
    other = store.ensure_account(AccountMode.SIM, samples.account())
    store.record_sync(account_key, samples.snapshot(fills=(samples.fill("a-1"),)))
    store.record_sync(other, samples.snapshot(fills=(samples.fill("a-1"),)))
    assert len(store.fills(account_key)) == len(store.fills(other)) == 1


def test_last_fill_id_is_the_newest_by_transaction_time(store, samples, account_key):
    assert store.last_fill_id(account_key) is None
    # Listed newest first, as Alpaca does by default.
    fills = (samples.fill("a-3", minutes=3), samples.fill("a-1", minutes=1))
    store.record_sync(account_key, samples.snapshot(fills=fills))
    store.record_sync(account_key, samples.snapshot(fills=(samples.fill("a-2", minutes=2),)))
    assert store.last_fill_id(account_key) == "a-3"


def test_fills_are_oldest_first_and_filter_by_symbol(store, samples, account_key):
    fills = (
        samples.fill("a-3", minutes=3, symbol="BND"),
        samples.fill("a-1", minutes=1),
        samples.fill("a-2", minutes=2, symbol="BND"),
    )
    store.record_sync(account_key, samples.snapshot(fills=fills))
    assert [f.activity_id for f in store.fills(account_key)] == ["a-1", "a-2", "a-3"]
    assert [f.activity_id for f in store.fills(account_key, symbol="BND")] == ["a-2", "a-3"]
    assert store.fills(account_key, symbol="VXUS") == []


# --- atomicity -----------------------------------------------------------------------------


def test_a_failed_sync_writes_nothing(store, samples, account_key):
    """The second VTI position breaks the one-row-per-symbol constraint after the
    snapshot row, the first positions and the fills were already sent."""
    store.record_sync(account_key, samples.snapshot(fills=(samples.fill("a-1"),)))
    before = row_counts(store)
    broken = samples.snapshot(
        minutes=10,
        positions=(samples.position("BND"), samples.position("VTI"), samples.position("VTI")),
        fills=(samples.fill("a-2", minutes=2),),
    )

    with pytest.raises(StorageError, match="cannot record the sync"):
        store.record_sync(account_key, broken)

    assert row_counts(store) == before
    assert store.last_fill_id(account_key) == "a-1"
    assert store.latest_snapshot(account_key).taken_at == samples.snapshot().taken_at


def test_a_number_the_column_cannot_hold_writes_nothing(store, samples, account_key):
    too_large = samples.position("VXUS", qty=Decimal("123456789012345678901"))
    broken = samples.snapshot(positions=(samples.position("BND"), too_large))
    with pytest.raises(StorageError, match="more than 20 digits before the point"):
        store.record_sync(account_key, broken)
    assert set(row_counts(store).values()) == {0}


def test_each_amount_is_kept_to_its_own_step(store, samples, account_key):
    # Worked out exactly elsewhere (an average cost, a share of a gain): endless digits
    # are rounded half-even where they are stored, money to the cent, shares and prices
    # to 9 decimals, instead of refusing the write.
    third = Decimal(1) / 3
    position = samples.position(
        "VXUS",
        qty=Decimal("1.0000000000000000001"),
        avg_entry_price=100 + third,
        current_price=Decimal("240.0150000004"),
        market_value=Decimal("2963.145"),
        cost_basis=Decimal("2853.955"),
        unrealized_pl=third,
    )
    store.record_sync(account_key, samples.snapshot(positions=(position,)))
    (stored,) = store.latest_snapshot(account_key).positions
    assert stored.qty == Decimal("1")
    assert stored.avg_entry_price == Decimal("100.333333333")
    assert stored.current_price == Decimal("240.015")
    assert (stored.market_value, stored.cost_basis) == (Decimal("2963.14"), Decimal("2853.96"))
    assert stored.unrealized_pl == Decimal("0.33")


def test_a_sync_for_an_unknown_account_is_refused(store, samples):
    with pytest.raises(StorageError, match="no account with key 999"):
        store.record_sync(999, samples.snapshot())
    assert row_counts(store)["sync_snapshot"] == 0


def test_a_bug_inside_a_transaction_is_not_passed_off_as_a_storage_error(store):
    """Only what the database refuses becomes a StorageError (exit 9); a ValueError raised
    by trader's own code inside a transaction stays itself, and the transaction rolls back."""
    from datetime import date

    day = date(2026, 3, 2)
    store.save_daily_closes("XLK", day, day, {day: Decimal("100")})
    later = date(2026, 6, 1)
    with pytest.raises(ValueError, match="leave a hole") as raised:
        store.save_daily_closes("XLK", later, later, {later: Decimal("101")})
    assert not isinstance(raised.value, StorageError)
    assert store.close_spans(["XLK"]) == {"XLK": (day, day)}
