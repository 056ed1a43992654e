"""``plan_account``: from the configured account to a staged plan and its report.

The steps: read the policy (config errors stop everything before a broker is
touched); read the account — synced now, or the last sync with ``--no-sync``, or
the hand-kept ``manual`` account; price every symbol the plan may buy; run the
engine, with the cash flow asked for (a deposit on its way, a withdrawal to raise,
``--buy-only``); stage the plan (superseding older ones) in one transaction, its basis
carrying the deposit it waits for or the withdrawal it keeps in cash; write the JSON
report of a plan with orders (of one without, only when asked: a scheduled check that
finds nothing to do leaves no file). Nothing here decides anything: the engine does.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trader.adapters.reports import write_report
from trader.app.sync import SyncResult, sync_account
from trader.broker.connect import open_broker
from trader.broker.protocol import Broker
from trader.core.domain import AccountMode, AccountSnapshot
from trader.core.engine import NO_CASH_FLOW, CashFlow, Plan, plan_rebalance
from trader.core.engine.plan import PlannedOrder
from trader.core.lots import Lot
from trader.core.money import ZERO, dollars, plain
from trader.core.policy import CASH_CATEGORY, CashFlowMode, Policy, Portfolio
from trader.core.price_check import name_untrusted
from trader.core.schedule import check_due, market_date
from trader.core.staging import Basis, StagedOrder, StagedPlan, client_order_id
from trader.core.statuses import PlanStatus
from trader.core.withdrawal import Withdrawal, cancelled, settle
from trader.errors import ConfigError
from trader.planning.assets import assets_for
from trader.planning.inputs import (
    categorised_symbols,
    manual_portfolio,
    market_portfolio,
    policy_from_settings,
    without_unmanaged,
)
from trader.planning.reference_price import explained_moves, untrusted_prices
from trader.planning.report import plan_payload
from trader.planning.schedule_inputs import (
    broker_trading_days,
    schedule_entries,
    weekday_trading_days,
)
from trader.planning.scores import scores_for
from trader.planning.stop_evidence import confirmed_prices
from trader.planning.stop_inputs import stopped_symbols
from trader.planning.tax_inputs import account_history, update_peaks
from trader.planning.working import count_working, working_note, working_orders
from trader.settings import Settings
from trader.store import Store


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: Plan
    policy: Policy
    mode: AccountMode
    account_label: str
    created_at: datetime
    staged: StagedPlan | None
    superseded: tuple[str, ...]
    payload: dict[str, Any]
    report_path: Path | None  # None: a plan with no orders, no report asked for
    sync: SyncResult | None


def writable_folder(folder: Path) -> Path:
    """Make sure reports can be written before anything is staged."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"reports_dir {folder}: cannot create it: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"reports_dir {folder}: not writable")
    return folder


def _calendar_due(
    settings: Settings, store: Store, mode: AccountMode, today: date, trading: set[date]
) -> bool:
    """For ``trader plan``: the schedule's check day has come and no rebalance ran since."""
    last = store.last_rebalance(mode)
    last_day = market_date(last) if last is not None else None
    return check_due(schedule_entries(settings), today, trading, last_day).due


def _read_market(
    settings: Settings,
    policy: Policy,
    broker: Broker,
    store: Store,
    mode: AccountMode,
    snapshot: AccountSnapshot,
    account_key: int,
    calendar_due: bool | None = None,
    previous: AccountSnapshot | None = None,
) -> tuple[Portfolio, list[str], dict[str, str]]:
    held = [p.symbol for p in snapshot.positions]
    wanted = list(dict.fromkeys([*categorised_symbols(settings), *held]))
    today = market_date(broker.clock().timestamp)
    assets = assets_for(broker, store, wanted, today)
    to_price = [
        s
        for s in categorised_symbols(settings)
        if s not in held and s in assets and assets[s].tradable and assets[s].status == "active"
    ]
    sent = store.orders_sent_since(account_key, snapshot.taken_at)
    working_symbols = [o.symbol for o in (*snapshot.open_orders, *sent)]
    to_price.extend(s for s in dict.fromkeys(working_symbols) if s not in (*held, *to_price))
    prices = broker.latest_prices(to_price)
    actions = store.corporate_actions(account_key)
    untrusted, midpoints = untrusted_prices(
        broker, settings, snapshot, prices, previous, explained_moves(actions, today), today
    )
    prices = {s: p for s, p in prices.items() if s not in untrusted}
    bad_held = sorted(set(untrusted) & set(held))
    if calendar_due is None:
        calendar_due = settings.rebalancing.method != "threshold" and _calendar_due(
            settings, store, mode, today, broker_trading_days(broker, today)
        )
    due = calendar_due
    portfolio, warnings = market_portfolio(
        policy, snapshot, assets, prices, calendar_due=due, untrusted=untrusted
    )
    warnings.extend(
        f"{untrusted[s]}: it is held, so the plan sends no order this run" for s in bad_held
    )
    now = {**prices, **{h.symbol: h.price for h in portfolio.holdings}}
    working, uncounted = working_orders(snapshot.open_orders, sent, now)
    portfolio = count_working(portfolio, working)
    warnings.extend([*working_note(working), *uncounted])
    history = account_history(store, account_key, snapshot)
    warnings.extend(history.corporate.recent_notes(set(held), today))
    peaks: dict = {}
    confirmed: dict | None = None
    if policy.trailing_stop is not None:
        held = {h.symbol: h.price for h in portfolio.holdings if h.qty > 0}
        reading = update_peaks(broker, store, account_key, history.book, held, today)
        peaks = reading.peaks
        warnings.extend(reading.notes)
        confirmed = confirmed_prices(store, account_key, held, midpoints, snapshot.taken_at)
    scores: dict = {}
    if policy.prefer_etfs_with_score_above is not None or settings.scores_file:
        known = [s for s in categorised_symbols(settings) if s in assets]  # no score for a typo
        found = scores_for(settings, broker, store, known, today)
        scores = found.values
        warnings.extend(found.warnings)
    portfolio = replace(
        portfolio,
        today=today,
        lots=history.book.lots,
        wash=history.wash,
        peaks=peaks,
        confirmed=confirmed,
        scores=scores,
        stopped=stopped_symbols(settings, broker, store, account_key, today),
    )
    # the peaks and scores read the same bars: one warning each
    return portfolio, list(dict.fromkeys(warnings)), untrusted


def plan_account(
    settings: Settings,
    home: Path,
    store: Store,
    *,
    sync: bool = True,
    live: bool = False,
    command: str = "plan",
    calendar_due: bool | None = None,
    cash_flow: CashFlow = NO_CASH_FLOW,
    buy_only: bool = False,
    cancel_withdrawal: bool = False,
    report: bool = False,
) -> PlanOutcome:
    """Plan the configured account, stage the plan when it has orders, write its report
    (for a plan without orders only with ``report``).

    ``calendar_due`` overrides the schedule's own decision (``trader run`` decides it
    from its last check rather than from the last rebalance). ``cash_flow`` is a deposit
    on its way or a withdrawal to raise; ``buy_only`` plans with ``cash_flow: buy_only``
    whatever the config says. A withdrawal raised earlier and not yet transferred out
    stays in cash beside the reserve (``trader.core.withdrawal``), unless
    ``cancel_withdrawal``.
    """
    policy = policy_from_settings(settings)
    if buy_only:
        if cash_flow.withdrawal:
            raise ConfigError("--buy-only and --withdraw: a withdrawal is raised by selling")
        policy = replace(policy, cash_flow=CashFlowMode.BUY_ONLY)
    reports = writable_folder(Path(settings.reports_dir))
    mode = AccountMode(settings.account)
    synced: SyncResult | None = None
    snapshot_id: int | None = None
    account_key: int | None = None
    aside: Withdrawal | None = None
    if mode is AccountMode.MANUAL:
        if cancel_withdrawal:
            raise ConfigError("--cancel-withdrawal: a manual account sets no withdrawal aside")
        today = market_date(datetime.now(UTC))
        portfolio = manual_portfolio(settings)
        portfolio = replace(
            portfolio,
            calendar_due=calendar_due
            if calendar_due is not None
            else _calendar_due(settings, store, mode, today, weekday_trading_days(today)),
            today=today,
            lots={
                h.symbol: (Lot(h.symbol, h.qty, h.avg_cost, None),)
                for h in portfolio.holdings
                if h.qty > 0
            },
        )
        warnings: list[str] = []
        untrusted: dict[str, str] = {}  # a manual account's prices are the user's own
        if policy.tax_loss_harvesting:
            warnings.append(
                "manual account: the plan cannot see your trades, so wash-sale windows are "
                "not checked; lots are one per holding at its average cost"
            )
        if policy.trailing_stop is not None:
            warnings.append("manual account: no price history, so trailing stops are not checked")
        label = "manual (current_holdings in the config)"
        basis = Basis(
            portfolio.cash,
            {h.symbol: h.qty for h in portfolio.holdings},
            deposit=cash_flow.deposit,
            withdrawal=cash_flow.withdrawal,
        )
    else:
        prior_key = store.latest_account(mode)
        previous = store.latest_snapshot(prior_key) if prior_key else None
        with open_broker(settings, home, live_flag=live) as opened:
            try:
                if sync:
                    synced = sync_account(opened.broker, store, mode)
                    snapshot = synced.snapshot
                    snapshot_id = synced.snapshot_id
                    account_key = store.ensure_account(mode, snapshot.account)
                else:
                    account_key = store.latest_account(mode)
                    stored = store.latest_snapshot(account_key) if account_key else None
                    if stored is None:
                        raise ConfigError(
                            f"--no-sync: no stored sync of the {mode.value} account; "
                            f"run `trader sync` first"
                        )
                    snapshot = stored
                assert account_key is not None
                portfolio, warnings, untrusted = _read_market(
                    settings,
                    policy,
                    opened.broker,
                    store,
                    mode,
                    snapshot,
                    account_key,
                    calendar_due,
                    previous,
                )
                warnings = [*(f.warning for f in snapshot.foreign), *warnings]
                aside, said = _withdrawal_set_aside(
                    store, opened.broker, account_key, portfolio.cash, cancel=cancel_withdrawal
                )
                warnings.extend(said)
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event(command, "broker_call", outcome, {"action": action})
        label = f"{mode.value} {snapshot.account.masked_number}"
        basis = Basis(
            snapshot.account.cash,
            {p.symbol: p.qty for p in snapshot.positions},
            deposit=cash_flow.deposit,
            withdrawal=cash_flow.withdrawal,
            set_aside=aside.amount if aside else ZERO,
        )
    portfolio, left_out = without_unmanaged(portfolio, settings.unmanaged)
    warnings = [*left_out, *warnings]
    _check_reserve(policy, portfolio)
    if aside is not None:  # kept beside the reserve, as a withdrawal to raise is
        cash_flow = replace(cash_flow, set_aside=aside.amount)
    _check_withdrawal(policy, portfolio, cash_flow)
    plan = plan_rebalance(policy, portfolio, cash_flow=cash_flow)
    plan = name_untrusted(
        plan, untrusted, policy.categories, {h.symbol for h in portfolio.holdings if h.qty > 0}
    )
    warnings = [*warnings, *limit_warnings(plan, settings), *idle_cash_warnings(plan, policy)]
    if warnings:
        plan = replace(plan, warnings=(*warnings, *plan.warnings))
    created_at = datetime.now(UTC)
    uid = uuid.uuid4().hex if plan.orders else None
    client_ids = (
        [client_order_id(uid, n, o.side, o.symbol) for n, o in enumerate(plan.orders, 1)]
        if uid
        else []
    )
    payload = plan_payload(
        plan,
        policy,
        plan_id=uid,
        created_at=created_at,
        account=mode.value,
        client_order_ids=client_ids,
    )
    staged = to_staged(plan, uid, mode, created_at, client_ids, payload, basis) if uid else None
    superseded = store.stage_plan(mode, staged, account_key=account_key, snapshot_id=snapshot_id)
    written = write_report(reports, "plan", created_at, payload) if staged or report else None
    store.log_event(
        command,
        "command",
        "ok",
        {
            "plan_id": uid,
            "due": plan.due,
            "orders": len(plan.orders),
            "skipped": len(plan.skipped),
            "superseded": superseded,
            "report": str(written) if written else None,
        },
    )
    return PlanOutcome(
        plan=plan,
        policy=policy,
        mode=mode,
        account_label=label,
        created_at=created_at,
        staged=staged,
        superseded=tuple(superseded),
        payload=payload,
        report_path=written,
        sync=synced,
    )


def _withdrawal_set_aside(
    store: Store, broker: Broker, account_key: int, cash: Decimal, *, cancel: bool
) -> tuple[Withdrawal | None, list[str]]:
    """The account's withdrawal still set aside, once the transfers out since it was
    raised and the cash now are taken into account; and what the review says of it."""
    found = store.withdrawal_set_aside(account_key)
    if found is None:
        if cancel:
            raise ConfigError("--cancel-withdrawal: no withdrawal is set aside on this account")
        return None, []
    now = datetime.now(UTC)
    since = found.raised_on.isoformat()
    if cancel:
        store.save_withdrawal(account_key, cancelled(found, now))
        return None, [
            f"the withdrawal of {dollars(found.amount)} set aside since {since} is cancelled: "
            f"this plan may invest it again"
        ]
    settled = settle(found, broker.cash_transfers(found.raised_on), cash, now)
    if settled != found:
        store.save_withdrawal(account_key, settled)
    if settled.is_set_aside:
        return settled, [settled.line()]
    return None, [
        f"the withdrawal of {dollars(found.amount)} set aside since {since} is no longer "
        f"kept: {settled.note}"
    ]


def _fields(order: PlannedOrder) -> dict[str, Any]:
    return {f.name: getattr(order, f.name) for f in fields(order)}


def to_staged(
    plan: Plan,
    uid: str,
    mode: AccountMode,
    created_at: datetime,
    client_ids: list[str],
    payload: dict[str, Any],
    basis: Basis,
) -> StagedPlan:
    # Every field of the planned order, by name: a field added to PlannedOrder that
    # StagedOrder lacks fails here instead of being dropped on the way to the store.
    orders = tuple(
        StagedOrder(seq=n, client_order_id=client_id, **_fields(order))
        for n, (order, client_id) in enumerate(zip(plan.orders, client_ids, strict=True), 1)
    )
    return StagedPlan(
        uid=uid,
        mode=mode,
        status=PlanStatus.STAGED,
        created_at=created_at,
        method=plan.method.value,
        input_hash=plan.input_hash,
        equity=plan.equity,
        investable=plan.investable,
        cash=plan.cash,
        cash_after=plan.cash_after,
        orders=orders,
        payload=payload,
        basis=basis,
    )


def _check_reserve(policy: Policy, portfolio: Portfolio) -> None:
    """A cash reserve above the whole equity leaves a negative sum to invest: no plan
    made from it means anything, so it is refused rather than shown beside a warning."""
    equity = portfolio.equity
    if policy.cash_reserve > equity:
        raise ConfigError(
            f"cash_reserve {dollars(policy.cash_reserve)} is more than the account's equity "
            f"{dollars(equity)}: nothing can be invested; lower portfolio.cash_reserve"
        )


def _check_withdrawal(policy: Policy, portfolio: Portfolio, cash_flow: CashFlow) -> None:
    """A withdrawal the account cannot raise above its reserve is refused before planning."""
    room = portfolio.equity - policy.cash_reserve - cash_flow.set_aside
    if cash_flow.withdrawal > room:
        aside = (
            f" and the withdrawal set aside {dollars(cash_flow.set_aside)}"
            if cash_flow.set_aside
            else ""
        )
        raise ConfigError(
            f"--withdraw {dollars(cash_flow.withdrawal)} is more than the account can raise: "
            f"equity {dollars(portfolio.equity)} less the cash reserve "
            f"{dollars(policy.cash_reserve)}{aside} is {dollars(room)}"
        )


def idle_cash_warnings(plan: Plan, policy: Policy) -> list[str]:
    """Cash above the reserve that no rebalance will invest, when it is more than a band:
    the categories are all within their bands, so nothing is bought with it."""
    if plan.due or plan.investable <= 0 or CASH_CATEGORY in policy.target_allocation:
        return []
    flow = plan.cash_flow
    idle = plan.cash + flow.deposit - flow.withdrawal - flow.set_aside - plan.reserve
    share = idle / plan.investable * 100
    if share <= policy.drift_threshold:
        return []
    return [
        f"{dollars(idle)} of cash above the reserve ({share:.2f}% of the investable value, "
        f"more than the {policy.drift_threshold}-point band) sits idle: every category is "
        f"within its band, so no rebalance buys with it. `trader plan --buy-only` invests it "
        f"without selling; or lower portfolio.cash_reserve, give it a `cash` target, or "
        f"narrow the bands"
    ]


def limit_warnings(plan: Plan, settings: Settings) -> list[str]:
    """The fat-finger limits ``trader execute`` will apply, told at plan time: each order
    above ``max_order_dollars`` and a plan above ``max_session_dollars`` (at the plan's
    estimated prices; execute checks again at the prices of the moment)."""
    limits = settings.execution
    warnings = [
        f"order {n} ({order.side.value} {plain(order.qty)} {order.symbol}, "
        f"{dollars(order.est_value)}) is above execution.max_order_dollars "
        f"({dollars(limits.max_order_dollars)}): `trader execute` will refuse the plan"
        for n, order in enumerate(plan.orders, 1)
        if order.est_value > limits.max_order_dollars
    ]
    total = sum((order.est_value for order in plan.orders), Decimal(0))
    if total > limits.max_session_dollars:
        warnings.append(
            f"the plan's orders add up to {dollars(total)}, above "
            f"execution.max_session_dollars ({dollars(limits.max_session_dollars)}): "
            f"`trader execute` will refuse the plan"
        )
    return warnings
