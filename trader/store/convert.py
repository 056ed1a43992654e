"""Conversions between table rows and domain values, one pair per kind of record.

Rows are mutable and database-shaped; domain values are frozen and check
themselves. Keeping the mapping here means the rest of the project never sees a
row, and a schema change touches this module and a migration, nothing else.

One thing does not survive the trip: the full account number. Only its masked
form is ever stored, so a rebuilt ``AccountInfo`` carries the masked number
(whose ``masked_number`` is itself again).
"""

from __future__ import annotations

import json
from datetime import date

from trader.core.domain import (
    AccountInfo,
    AccountMode,
    Asset,
    CorporateAction,
    Fill,
    ForeignRecord,
    Order,
    Position,
    Side,
)
from trader.core.staging import Basis, StagedOrder, StagedPlan
from trader.core.statuses import OrderKind, OrderStatus, PlanStatus
from trader.store.tables import (
    AccountRow,
    AssetCacheRow,
    CorporateActionRow,
    FillRow,
    PlanOrderRow,
    PlanRow,
    SnapshotForeignRow,
    SnapshotOrderRow,
    SnapshotPositionRow,
    SyncSnapshotRow,
)


def account_row(mode: AccountMode, account: AccountInfo, **times: object) -> AccountRow:
    return AccountRow(
        mode=mode.value,
        broker_account_id=account.account_id,
        account_number_masked=account.masked_number,
        **times,
    )


def snapshot_row(account_key: int, account: AccountInfo, taken_at: object) -> SyncSnapshotRow:
    return SyncSnapshotRow(
        account_id=account_key,
        taken_at=taken_at,
        status=account.status,
        currency=account.currency,
        cash=account.cash,
        equity=account.equity,
        buying_power=account.buying_power,
        long_market_value=account.long_market_value,
        trading_blocked=account.trading_blocked,
        account_blocked=account.account_blocked,
    )


def account_info(account: AccountRow, snapshot: SyncSnapshotRow) -> AccountInfo:
    return AccountInfo(
        account_id=account.broker_account_id,
        account_number=account.account_number_masked,
        status=snapshot.status,
        currency=snapshot.currency,
        cash=snapshot.cash,
        equity=snapshot.equity,
        buying_power=snapshot.buying_power,
        long_market_value=snapshot.long_market_value,
        trading_blocked=snapshot.trading_blocked,
        account_blocked=snapshot.account_blocked,
    )


def position_row(snapshot_id: int, position: Position) -> SnapshotPositionRow:
    return SnapshotPositionRow(
        snapshot_id=snapshot_id,
        symbol=position.symbol,
        asset_id=position.asset_id,
        qty=position.qty,
        avg_entry_price=position.avg_entry_price,
        current_price=position.current_price,
        market_value=position.market_value,
        cost_basis=position.cost_basis,
        unrealized_pl=position.unrealized_pl,
    )


def position(row: SnapshotPositionRow) -> Position:
    return Position(
        symbol=row.symbol,
        qty=row.qty,
        avg_entry_price=row.avg_entry_price,
        current_price=row.current_price,
        market_value=row.market_value,
        cost_basis=row.cost_basis,
        unrealized_pl=row.unrealized_pl,
        asset_id=row.asset_id,
    )


def order_row(snapshot_id: int, order: Order) -> SnapshotOrderRow:
    return SnapshotOrderRow(
        snapshot_id=snapshot_id,
        broker_order_id=order.order_id,
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side.value,
        order_type=order.order_type,
        time_in_force=order.time_in_force,
        status=order.status,
        qty=order.qty,
        notional=order.notional,
        filled_qty=order.filled_qty,
        filled_avg_price=order.filled_avg_price,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        trail_percent=order.trail_percent,
        submitted_at=order.submitted_at,
        created_at=order.created_at,
    )


def order(row: SnapshotOrderRow) -> Order:
    return Order(
        order_id=row.broker_order_id,
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=Side(row.side),
        order_type=row.order_type,
        time_in_force=row.time_in_force,
        status=row.status,
        qty=row.qty,
        notional=row.notional,
        filled_qty=row.filled_qty,
        filled_avg_price=row.filled_avg_price,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        submitted_at=row.submitted_at,
        created_at=row.created_at,
        trail_percent=row.trail_percent,
    )


def fill_row(account_key: int, snapshot_id: int, fill: Fill) -> FillRow:
    return FillRow(
        account_id=account_key,
        snapshot_id=snapshot_id,
        activity_id=fill.activity_id,
        order_id=fill.order_id,
        symbol=fill.symbol,
        side=fill.side.value,
        qty=fill.qty,
        price=fill.price,
        transaction_time=fill.transaction_time,
        fill_type=fill.fill_type,
        cum_qty=fill.cum_qty,
        leaves_qty=fill.leaves_qty,
    )


def corporate_action_row(account_key: int, action: CorporateAction) -> CorporateActionRow:
    return CorporateActionRow(
        account_id=account_key,
        activity_id=action.activity_id,
        kind=action.kind,
        sub_type=action.sub_type,
        symbol=action.symbol,
        day=action.day,
        qty=action.qty,
        price=action.price,
        net_amount=action.net_amount,
        group_id=action.group_id,
        description=action.description,
        raw_json=action.raw_json,
    )


def corporate_action(row: CorporateActionRow) -> CorporateAction:
    return CorporateAction(
        activity_id=row.activity_id,
        kind=row.kind,
        sub_type=row.sub_type,
        symbol=row.symbol,
        day=row.day,
        qty=row.qty,
        price=row.price,
        net_amount=row.net_amount,
        group_id=row.group_id,
        description=row.description,
        raw_json=row.raw_json,
    )


def cached_asset(row: AssetCacheRow) -> Asset | None:
    if not row.known:
        return None
    return Asset(
        symbol=row.symbol,
        name=row.name,
        exchange=row.exchange,
        tradable=row.tradable,
        fractionable=row.fractionable,
        status=row.status,
        asset_id=row.asset_id,
    )


def asset_cache_values(symbol: str, asset: Asset | None, day: date) -> dict[str, object]:
    """The asset cache's row for what the broker said of ``symbol`` on ``day``."""
    return {
        "symbol": symbol,
        "read_on": day,
        "known": asset is not None,
        "name": asset.name if asset else "",
        "exchange": asset.exchange if asset else "",
        "tradable": asset.tradable if asset else False,
        "fractionable": asset.fractionable if asset else False,
        "status": asset.status if asset else "unknown",
        "asset_id": asset.asset_id if asset else "",
    }


def foreign_row(snapshot_id: int, record: ForeignRecord) -> SnapshotForeignRow:
    return SnapshotForeignRow(
        snapshot_id=snapshot_id,
        kind=record.kind,
        symbol=record.symbol,
        asset_class=record.asset_class,
        reason=record.reason,
        raw_json=record.raw_json,
    )


def foreign(row: SnapshotForeignRow) -> ForeignRecord:
    return ForeignRecord(
        kind=row.kind,
        symbol=row.symbol,
        asset_class=row.asset_class,
        reason=row.reason,
        raw_json=row.raw_json,
    )


def fill(row: FillRow) -> Fill:
    return Fill(
        activity_id=row.activity_id,
        order_id=row.order_id,
        symbol=row.symbol,
        side=Side(row.side),
        qty=row.qty,
        price=row.price,
        transaction_time=row.transaction_time,
        fill_type=row.fill_type,
        cum_qty=row.cum_qty,
        leaves_qty=row.leaves_qty,
    )


def plan_row(staged: StagedPlan, *, account_key: int | None, snapshot_id: int | None) -> PlanRow:
    return PlanRow(
        uid=staged.uid,
        account_id=account_key,
        snapshot_id=snapshot_id,
        mode=staged.mode.value,
        status=str(staged.status),
        created_at=staged.created_at,
        method=staged.method,
        input_hash=staged.input_hash,
        equity=staged.equity,
        investable=staged.investable,
        cash=staged.cash,
        cash_after=staged.cash_after,
        payload=json.dumps(staged.payload, sort_keys=True),
        basis=json.dumps(staged.basis.to_json(), sort_keys=True),
    )


def plan_order_row(plan_key: int, order: StagedOrder) -> PlanOrderRow:
    return PlanOrderRow(
        plan_id=plan_key,
        seq=order.seq,
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side.value,
        qty=order.qty,
        notional=order.notional,
        est_price=order.est_price,
        est_value=order.est_value,
        est_realized_pl=order.est_realized_pl,
        category=order.category,
        reason=order.reason,
        status=str(order.status),
        sent_qty=order.sent_qty,
        broker_order_id=order.broker_order_id,
        filled_qty=order.filled_qty,
        filled_avg_price=order.filled_avg_price,
        message=order.message,
        submitted_at=order.submitted_at,
        updated_at=order.updated_at,
        kind=str(order.kind),
        est_short_term=order.est_short_term,
        est_long_term=order.est_long_term,
        est_washed=order.est_washed,
    )


def staged_order(row: PlanOrderRow) -> StagedOrder:
    return StagedOrder(
        seq=row.seq,
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=Side(row.side),
        qty=row.qty,
        est_price=row.est_price,
        est_value=row.est_value,
        category=row.category,
        reason=row.reason,
        status=OrderStatus(row.status),
        est_realized_pl=row.est_realized_pl,
        notional=row.notional,
        sent_qty=row.sent_qty,
        broker_order_id=row.broker_order_id,
        filled_qty=row.filled_qty,
        filled_avg_price=row.filled_avg_price,
        message=row.message,
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
        kind=OrderKind(row.kind),
        est_short_term=row.est_short_term,
        est_long_term=row.est_long_term,
        est_washed=row.est_washed,
    )


def staged_plan(row: PlanRow, orders: list[PlanOrderRow]) -> StagedPlan:
    return StagedPlan(
        uid=row.uid,
        mode=AccountMode(row.mode),
        status=PlanStatus(row.status),
        created_at=row.created_at,
        method=row.method,
        input_hash=row.input_hash,
        equity=row.equity,
        investable=row.investable,
        cash=row.cash,
        cash_after=row.cash_after,
        orders=tuple(staged_order(o) for o in orders),
        payload=json.loads(row.payload),
        basis=Basis.from_json(json.loads(row.basis)),
    )
