"""``trader sync``: read the account from the broker and record it in the store.

Everything is read and parsed first and written in one transaction afterwards, so
a malformed or failed broker answer leaves the store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trader.broker.protocol import Broker
from trader.core.domain import AccountMode, AccountSnapshot, Order
from trader.core.statuses import OPEN_ORDER_STATUSES
from trader.execution.submit import our_status, record
from trader.store import Store

if TYPE_CHECKING:
    from trader.app.wiring import Wiring

# Orders of our plans the broker may still be working on, and how many recent plans to look
# through for them: a sync brings what they did since into the plan's record (`trader
# history`), e.g. day orders queued while the market was closed and filled at the open.
WORKING = OPEN_ORDER_STATUSES
RECENT_PLANS = 5


@dataclass(frozen=True, slots=True)
class SyncResult:
    mode: AccountMode
    snapshot: AccountSnapshot
    snapshot_id: int
    new_fills: int
    orders_updated: int = 0
    # What reading the holdings' daily bars found (with trailing stops on): bad prints
    # dropped, stored peaks rebuilt.
    bar_notes: tuple[str, ...] = ()


def sync_account(broker: Broker, store: Store, mode: AccountMode) -> SyncResult:
    """Pull account, positions, open orders, new fills and new corporate actions (splits,
    dividends...); store them as one snapshot."""
    account = broker.account()
    known_key = store.account_key(mode, account)
    positions = broker.positions()
    open_orders = broker.open_orders()
    fills = broker.fills(after=store.last_fill_id(known_key) if known_key is not None else None)
    actions = broker.corporate_actions(
        after=store.last_corporate_action_id(known_key) if known_key is not None else None
    )
    ours = _our_working_orders(broker, store, mode)
    snapshot = AccountSnapshot(
        account=account,
        positions=tuple(sorted(positions, key=lambda p: p.symbol)),
        open_orders=tuple(open_orders),
        taken_at=datetime.now(UTC),
        fills=tuple(fills),
        foreign=tuple(broker.foreign_records()),
        corporate_actions=tuple(actions),
    )
    new_fills = store.unknown_fills(known_key, snapshot.fills)
    # Every read is done: only now is anything written.
    account_key = store.ensure_account(mode, account)
    snapshot_id = store.record_sync(account_key, snapshot)
    for plan_uid, seq, order in ours:
        record(store, plan_uid, seq, order, "sync")
    return SyncResult(mode, snapshot, snapshot_id, new_fills, len(ours))


def _our_working_orders(
    broker: Broker, store: Store, mode: AccountMode
) -> list[tuple[str, int, Order]]:
    """What the broker now says of our recent plans' orders still working (plan, seq,
    order), where it differs from our record; an order it does not know is left to
    ``trader execute``'s own reconciling."""
    found = []
    for plan in store.plans(mode, RECENT_PLANS):
        for order in plan.orders:
            if order.status in WORKING:
                seen = broker.order_by_client_id(order.client_order_id)
                if seen is not None and (
                    our_status(seen.status) != order.status
                    or seen.filled_qty != order.filled_qty
                    or seen.order_id != order.broker_order_id
                ):
                    found.append((plan.uid, order.seq, seen))
    return found


def checked_peaks(broker: Broker, store: Store, result: SyncResult) -> list[str]:
    """Bring the trailing stops' peaks up to date from the cleaned daily bars; what the
    cleaning found."""
    from trader.core.schedule import market_date
    from trader.planning.tax_inputs import account_history, update_peaks

    snapshot = result.snapshot
    account_key = store.ensure_account(result.mode, snapshot.account)
    held = {p.symbol: p.current_price for p in snapshot.positions if p.qty > 0 < p.current_price}
    history = account_history(store, account_key, snapshot)
    today = market_date(broker.clock().timestamp)
    return update_peaks(broker, store, account_key, history.book, held, today).notes


def run_sync(context: Wiring, *, live: bool = False, command: str = "sync") -> SyncResult:
    """Sync the configured account, logging the command and every broker call."""
    from trader.broker.connect import open_broker

    store = context.open_store()
    try:
        with open_broker(context.settings, context.home, live_flag=live) as opened:
            try:
                result = sync_account(opened.broker, store, opened.mode)
                if context.settings.risk_management.trailing_stop is not None:
                    notes = checked_peaks(opened.broker, store, result)
                    result = replace(result, bar_notes=tuple(notes))
            except Exception as exc:
                store.log_event(command, "command", "error", {"error": str(exc)})
                raise
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event(command, "broker_call", outcome, {"action": action})
            store.log_event(
                command,
                "command",
                "ok",
                {"snapshot_id": result.snapshot_id, "new_fills": result.new_fills},
            )
            return result
    finally:
        store.close()
