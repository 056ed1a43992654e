"""``trader sync``: read the account from the broker and record it in the store.

Everything is read and parsed first and written in one transaction afterwards, so
a malformed or failed broker answer leaves the store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from trader.broker.protocol import Broker
from trader.core.domain import AccountMode, AccountSnapshot
from trader.store import Store


@dataclass(frozen=True, slots=True)
class SyncResult:
    mode: AccountMode
    snapshot: AccountSnapshot
    snapshot_id: int
    new_fills: int


def sync_account(broker: Broker, store: Store, mode: AccountMode) -> SyncResult:
    """Pull account, positions, open orders and new fills; store them as one snapshot."""
    account = broker.account()
    known_key = store.account_key(mode, account)
    positions = broker.positions()
    open_orders = broker.open_orders()
    fills = broker.fills(after=store.last_fill_id(known_key) if known_key is not None else None)
    snapshot = AccountSnapshot(
        account=account,
        positions=tuple(sorted(positions, key=lambda p: p.symbol)),
        open_orders=tuple(open_orders),
        taken_at=datetime.now(UTC),
        fills=tuple(fills),
    )
    new_fills = store.unknown_fills(known_key, snapshot.fills)
    # Every read is done: only now is anything written.
    account_key = store.ensure_account(mode, account)
    snapshot_id = store.record_sync(account_key, snapshot)
    return SyncResult(mode, snapshot, snapshot_id, new_fills)
