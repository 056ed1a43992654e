"""One run of ``trader execute --confirm``: from a staged plan to orders at the broker.

The order of things, each step written to the store as it happens:

1. **Reconcile.** Every order an earlier run left ``submitted``, ``accepted`` or
   ``partially_filled`` is looked up by its client order id: what the broker has is
   recorded; a ``submitted`` order the broker never received goes back to ``staged``.
   A rerun after any crash therefore sends only what the broker never got.
2. **Check** (nothing sent if one fails): the plan is still current (not executed,
   not superseded nor rejected, not past ``plan_ttl_minutes``), the account is not blocked, its
   positions and cash are what the plan and its own fills explain, no price moved
   more than ``max_price_move_pct``, the market is open (or ``--allow-queued``), and
   no order nor the session is over the fat-finger limits.
3. **Conflicts.** An open order of someone else's on the same symbol and the other
   side would make Alpaca refuse ours as a potential wash trade: ours is skipped with
   that reason, or with ``--cancel-conflicting`` the other order is cancelled first.
   Our own broker-side trailing stops (``trailing_stop_mode: broker``) on a symbol the
   plan trades are cancelled first and placed again, for the new quantity, at the end.
4. **Sells**, each a day limit order the collar below its price
   (``execution.price_collar_pct``; ``order_type: market`` sends market orders; see
   ``collar``), then wait for them (one call for the open orders per round, backing
   off, up to ``fill_timeout_seconds``).
5. **Buys**, limit orders the collar above the fresh price, sized at their limit prices
   from the cash the account really has after the sells, keeping the reserve: shrunk or
   dropped, with the reason recorded. Then wait again, if any was sent.
6. Orders still open at the timeout are reported open, or cancelled with
   ``--cancel-unfilled``; a limit order is said not filled within the collar, with its
   limit and the price now (an open order, not a rejection). Orders sent with
   ``--allow-queued`` while the market is closed are not waited for: they are reported
   queued until the open. The plan is ``executed``; rejections are recorded with the
   broker's message and never stop the other orders.

A run interrupted by the broker (unreachable, errors that outlast the retries) or by
the user (Ctrl-C) is recorded as ``interrupted`` and leaves the plan ``executing``,
for the next run. A run whose process died (killed, crashed) cannot record anything:
the next run that takes the account's execution lock records it as ``interrupted``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from trader.broker.protocol import Broker
from trader.core.domain import AccountMode, Side
from trader.core.money import QTY_STEP, ZERO, dollars, plain
from trader.core.schedule import market_date
from trader.core.staging import Basis, StagedOrder, StagedPlan, parse_client_order_id
from trader.core.statuses import OrderStatus, PlanStatus
from trader.errors import (
    AccountBlocked,
    ExecutionLocked,
    ExecutionRefused,
    Interrupted,
    MarketClosed,
    NothingToExecute,
    TraderError,
)
from trader.execution import collar, guards, stops
from trader.execution.submit import record, submit_once
from trader.settings import Settings
from trader.store import Store

MAX_POLL_WAIT = 5.0
# An order of another database's plan sent this recently refuses the run (exit 17).
OTHER_RUN_MINUTES = 5


@dataclass(frozen=True, slots=True)
class ExecuteOptions:
    allow_queued: bool = False
    cancel_conflicting: bool = False
    cancel_unfilled: bool = False


@dataclass
class ExecutionOutcome:
    plan: StagedPlan
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    queued: bool = False  # sent while the market was closed: open orders wait for the open

    @property
    def rejected(self) -> list[StagedOrder]:
        return [o for o in self.plan.orders if o.status == OrderStatus.REJECTED]

    @property
    def still_open(self) -> list[StagedOrder]:
        return [o for o in self.plan.orders if o.is_open]


@dataclass
class Executor:
    settings: Settings
    broker: Broker
    store: Store
    mode: AccountMode
    options: ExecuteOptions = field(default_factory=ExecuteOptions)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sleep: Callable[[float], None] = time.sleep
    notes: list[str] = field(default_factory=list)

    # -- the whole run -----------------------------------------------------------------
    def check(self, plan: StagedPlan) -> tuple[StagedPlan, list[StagedOrder], dict[str, Decimal]]:
        """Reconcile and run every guard; returns the fresh plan, what is left to send, prices."""
        if plan.status == PlanStatus.EXECUTED:
            raise NothingToExecute(f"plan {plan.uid} was already executed: nothing to send")
        if plan.status == PlanStatus.SUPERSEDED:
            raise NothingToExecute(
                f"plan {plan.uid} was superseded by a newer plan: execute that one instead"
            )
        if plan.status == PlanStatus.REJECTED:
            raise NothingToExecute(
                f"plan {plan.uid} was rejected: it is never sent; run `trader plan` for a new one"
            )
        account = self.broker.account()
        if account.trading_blocked or account.account_blocked:
            raise AccountBlocked(f"the broker blocks trading on account {account.masked_number}")
        plan = self.reconcile(plan)
        pending = [o for o in plan.orders if o.status == OrderStatus.STAGED]
        if not pending:
            return plan, pending, {}
        self._check_other_runs(plan)
        execution = self.settings.execution
        guards.check_expiry(plan, self.clock(), execution.plan_ttl_minutes)
        positions = self.broker.positions()
        account = self.broker.account()
        actual = Basis(account.cash, {p.symbol: p.qty for p in positions})
        guards.check_basis(plan, actual, execution.cash_tolerance_dollars)
        prices = self.broker.latest_prices(sorted({o.symbol for o in pending}))
        guards.check_prices(pending, prices, execution.max_price_move_pct)
        if not self.broker.clock().is_open and not self.options.allow_queued:
            raise MarketClosed(
                "the market is closed: nothing was sent (--allow-queued sends day orders that "
                "wait for the open)"
            )
        traded = sum(
            (o.filled_qty * (o.filled_avg_price or o.est_price) for o in plan.orders), ZERO
        )
        guards.check_limits(
            pending,
            prices,
            execution.max_order_dollars,
            execution.max_session_dollars,
            traded,
            self.limits(pending, prices),
        )
        return plan, pending, prices

    def limits(self, orders: list[StagedOrder], prices: dict[str, Decimal]) -> dict[int, Decimal]:
        """Each order's limit price (by its number), from the prices read before sending;
        none with ``execution.order_type: market``."""
        execution = self.settings.execution
        if execution.order_type == "market":
            return {}
        return collar.limit_prices(orders, prices, execution.price_collar_pct)

    def run(self, plan: StagedPlan) -> ExecutionOutcome:
        """Check, then send: sells, wait, buys sized from the cash, wait."""
        try:
            plan, pending, prices = self.check(plan)
        except ExecutionRefused as refusal:
            run_id = self.store.start_execution(plan.uid, {"refused": str(refusal)})
            self.store.finish_execution(run_id, "refused", {"reason": str(refusal)})
            raise
        run_id = self.store.start_execution(plan.uid, {"to_send": len(pending)})
        self.store.set_plan_status(plan.uid, PlanStatus.EXECUTING)
        sent = 0
        try:
            self.notes.extend(
                stops.cancel_stops(
                    self.broker,
                    {o.symbol for o in pending},
                    timeout=self.settings.execution.fill_timeout_seconds,
                    sleep=self.sleep,
                )
            )
            pending = self._resolve_conflicts(plan, pending)
            sells = [o for o in pending if o.side is Side.SELL]
            buys = [o for o in pending if o.side is Side.BUY]
            sell_limits = self.limits(sells, prices)
            for order in sells:
                submit_once(
                    self.broker,
                    self.store,
                    plan.uid,
                    order,
                    order.qty,
                    limit_price=sell_limits.get(order.seq),
                    patience=self._patience,
                    sleep=self.sleep,
                )
                sent += 1
            queued = self.options.allow_queued and not self.broker.clock().is_open
            plan = self.wait(plan.uid, 0.0 if queued else None)
            bought = self._send_buys(plan, buys, prices) if buys else 0
            if bought:  # a second wait only for what was just sent
                sent += bought
                plan = self.wait(plan.uid, 0.0 if queued else None)
            plan = self._finish_open(plan, queued)
            risk = self.settings.risk_management
            if risk.trailing_stop_mode == "broker" and risk.trailing_stop is not None:
                self.notes.extend(
                    stops.place_stops(
                        self.broker,
                        [s for symbols in self.settings.categories.values() for s in symbols],
                        risk.trailing_stop,
                        timeout=self.settings.execution.fill_timeout_seconds,
                    )
                )
            if plan.basis.withdrawal:  # its sells are out: set aside until it leaves the account
                day = market_date(self.broker.clock().timestamp)
                self.store.set_aside_withdrawal(plan.uid, plan.basis.withdrawal, day)
            self.store.set_plan_status(plan.uid, PlanStatus.EXECUTED)
        except TraderError as exc:
            self.store.finish_execution(
                run_id, "interrupted", {"error": str(exc), "sent": sent, "notes": self.notes}
            )
            raise
        except KeyboardInterrupt:
            self.store.finish_execution(
                run_id,
                "interrupted",
                {"error": "interrupted by the user (Ctrl-C)", "sent": sent, "notes": self.notes},
            )
            raise Interrupted(interrupted_message(self._reload(plan.uid))) from None
        self.store.finish_execution(run_id, "completed", {"sent": sent, "notes": self.notes})
        return ExecutionOutcome(self._reload(plan.uid), list(self.notes), sent, queued)

    # -- steps --------------------------------------------------------------------------
    def _reload(self, uid: str) -> StagedPlan:
        plan = self.store.staged_plan(self.mode, uid)
        assert plan is not None
        return plan

    def reconcile(self, plan: StagedPlan) -> StagedPlan:
        """Bring the store in line with the broker for every order an earlier run touched."""
        for order in plan.orders:
            if not order.is_open:
                continue
            found = self.broker.order_by_client_id(order.client_order_id)
            if found is not None:
                record(self.store, plan.uid, order.seq, found)
            elif order.status == OrderStatus.SUBMITTED:
                self.store.update_order(
                    plan.uid,
                    order.seq,
                    status=OrderStatus.STAGED,
                    message="an earlier run was cut off before the broker received it",
                )
            else:
                self.store.update_order(
                    plan.uid, order.seq, message="the broker no longer knows this order"
                )
        return self._reload(plan.uid)

    def _check_other_runs(self, plan: StagedPlan) -> None:
        """Refuse while another ``trader`` sends on the account: an order of a plan this
        database does not know (another ``TRADER_HOME`` or database on the same account)
        still open at the broker, or sent in the last ``OTHER_RUN_MINUTES``. The execute
        lock lives in the database; the account lives at the broker, so the broker is asked."""
        now = self.broker.clock().timestamp
        since = now - timedelta(minutes=OTHER_RUN_MINUTES)
        still_open = {o.order_id: o for o in self.broker.open_orders()}
        recent = {o.order_id: o for o in self.broker.orders(status="all", after=since)}
        for order in [*still_open.values(), *recent.values()]:
            ours = parse_client_order_id(order.client_order_id)
            if ours is None or ours[0] == plan.uid:
                continue
            if self.store.staged_plan(self.mode, ours[0]) is not None:
                continue  # this database's own plan: its record says what it did
            what = (
                f"{order.side.value} {plain(order.qty) if order.qty is not None else '-'} "
                f"{order.symbol}, {order.status}"
            )
            if order.order_id in still_open:
                when = "is still open at the broker"
            else:
                sent = order.submitted_at or order.created_at
                when = f"was sent {max(int((now - sent).total_seconds()), 0)} s ago"
            raise ExecutionLocked(
                f"another plan's order {order.client_order_id} ({what}) {when}, and this "
                f"database does not know plan {ours[0]}: another trader (another TRADER_HOME "
                f"or database) is sending on this account. Nothing was sent; when it is done, "
                f"run `trader plan` again"
            )

    def _resolve_conflicts(self, plan: StagedPlan, pending: list[StagedOrder]) -> list[StagedOrder]:
        clashes = guards.conflicts(plan.orders, self.broker.open_orders())
        if not clashes:
            return pending
        keep = []
        for order in pending:
            others = clashes.get(order.seq)
            if not others:
                keep.append(order)
                continue
            what = ", ".join(
                f"open {o.side.value} {o.order_type} order {o.order_id} on {order.symbol}"
                for o in others
            )
            if self.options.cancel_conflicting:
                for other in others:
                    self.broker.cancel(other.order_id)
                if not stops.wait_closed(
                    self.broker,
                    {other.order_id for other in others},
                    timeout=self.settings.execution.fill_timeout_seconds,
                    interval=self.settings.execution.poll_interval_seconds,
                    sleep=self.sleep,
                ):
                    raise ExecutionRefused(f"the {what} did not cancel in time; nothing else sent")
                self.notes.append(f"cancelled the {what} (--cancel-conflicting)")
                keep.append(order)
            else:
                self.store.update_order(
                    plan.uid,
                    order.seq,
                    status=OrderStatus.SKIPPED,
                    message=f"the {what} would make the broker refuse this order as a potential "
                    f"wash trade; cancel it, or rerun with --cancel-conflicting",
                )
        return keep

    def _send_buys(
        self, plan: StagedPlan, buys: list[StagedOrder], prices: dict[str, Decimal]
    ) -> int:
        account = self.broker.account()
        buys, fresh = self._checked_buys(plan, buys)
        if not buys:
            return 0
        prices = {**prices, **fresh}
        steps = {o.symbol: self._step(o.symbol) for o in buys}
        # A withdrawal's plan keeps the cash it raised beside the reserve, to be transferred out.
        policy_reserve = self.settings.portfolio.cash_reserve + plan.basis.kept_in_cash
        # Buys already working (the user's, or an earlier plan's) will take their cash when
        # they fill: the account's cash does not show it yet.
        committed = self._cash_of_working_buys(plan, prices)
        if committed > ZERO:
            self.notes.append(
                f"{dollars(committed)} of the cash is held back for buys already working"
            )
        limits = self.limits(buys, prices)
        sized = guards.size_buys(
            buys,
            prices,
            steps,
            account.cash - committed,
            policy_reserve,
            self.settings.rebalancing.min_trade_dollars,
            self.settings.execution.buy_buffer_pct,
            limits,
        )
        by_seq = {o.seq: o for o in buys}
        max_order = self.settings.execution.max_order_dollars
        sent = 0
        for size in sized:
            order = by_seq[size.seq]
            limit = limits.get(order.seq)
            if size.qty > ZERO and limit is not None and size.qty * limit > max_order:
                # The price moved up since the check: at its new limit it could cost too much.
                size = guards.BuySize(
                    size.seq,
                    ZERO,
                    f"skipped: {plain(size.qty)} shares at its limit {dollars(limit)} could "
                    f"cost {dollars(size.qty * limit)}, above execution.max_order_dollars "
                    f"({dollars(max_order)})",
                )
            if size.qty <= ZERO:
                self.store.update_order(
                    plan.uid, order.seq, status=OrderStatus.SKIPPED, message=size.note
                )
                continue
            if size.note:
                self.store.update_order(plan.uid, order.seq, message=size.note)
            submit_once(
                self.broker,
                self.store,
                plan.uid,
                order,
                size.qty,
                limit_price=limit,
                patience=self._patience,
                sleep=self.sleep,
            )
            sent += 1
        return sent

    def _checked_buys(
        self, plan: StagedPlan, buys: list[StagedOrder]
    ) -> tuple[list[StagedOrder], dict[str, Decimal]]:
        """The buys whose fresh price passes the reference check, and those prices. A buy
        whose latest trade disagrees with its quote or moved beyond the limit from the
        previous close (``market_data``) is skipped, never sized on that price."""
        from trader.planning.reference_price import explained_moves, reference_prices

        symbols = sorted({o.symbol for o in buys})
        fresh = self.broker.latest_prices(symbols)
        key = self.store.latest_account(self.mode)
        actions = self.store.corporate_actions(key) if key else []
        today = market_date(self.clock())
        checks = reference_prices(
            self.broker,
            self.settings,
            symbols,
            fresh,
            explained=explained_moves(actions, today),
            today=today,
        )
        kept: list[StagedOrder] = []
        for order in buys:
            check = checks.get(order.symbol)
            if check is not None and check.trusted:
                kept.append(order)
                continue
            why = check.reason if check is not None else f"{order.symbol}: no latest price"
            message = f"not bought: {why}"
            self.store.update_order(
                plan.uid, order.seq, status=OrderStatus.SKIPPED, message=message
            )
            self.notes.append(message)
        trusted = {s: c.price for s, c in checks.items() if c.trusted and c.price is not None}
        return kept, trusted

    def _cash_of_working_buys(self, plan: StagedPlan, prices: dict[str, Decimal]) -> Decimal:
        """What the account's open buys not of this plan will spend when they fill."""
        from trader.planning.working import working_orders

        others = [
            order
            for order in self.broker.open_orders()
            if order.side is Side.BUY
            and (parse_client_order_id(order.client_order_id) or ("",))[0] != plan.uid
        ]
        unpriced = sorted({o.symbol for o in others if o.limit_price is None} - set(prices))
        if unpriced:
            prices = {**prices, **self.broker.latest_prices(unpriced)}
        working, _ = working_orders(others, (), prices)
        return sum((w.qty * w.price for w in working), ZERO)

    @property
    def _patience(self) -> float:
        return 3 * self.settings.broker.timeout_seconds

    def _step(self, symbol: str) -> Decimal:
        if not self.settings.rebalancing.fractional_shares:
            return Decimal(1)
        return QTY_STEP if self.broker.asset(symbol).fractionable else Decimal(1)

    def wait(self, uid: str, timeout: float | None = None) -> StagedPlan:
        """Poll until every order of the plan is final or the timeout passes."""
        execution = self.settings.execution
        limit = execution.fill_timeout_seconds if timeout is None else timeout
        deadline = time.monotonic() + limit
        interval = execution.poll_interval_seconds
        while True:
            plan = self._reload(uid)
            waiting = [o for o in plan.orders if o.is_open]
            if not waiting:
                return plan
            self._refresh(uid, waiting)
            plan = self._reload(uid)
            if not any(o.is_open for o in plan.orders) or time.monotonic() >= deadline:
                return plan
            self.sleep(interval)
            interval = min(interval * 1.5, MAX_POLL_WAIT)

    def _refresh(self, uid: str, waiting: list[StagedOrder]) -> None:
        """One look at the open orders: record progress (partial fills) of ours still open,
        and look up each of ours that is no longer open to record how it ended."""
        still_open = {o.client_order_id: o for o in self.broker.open_orders()}
        for order in waiting:
            current = still_open.get(order.client_order_id)
            if current is None:
                current = self.broker.order_by_client_id(order.client_order_id)
            if current is not None:
                record(self.store, uid, order.seq, current)

    def _finish_open(self, plan: StagedPlan, queued: bool = False) -> StagedPlan:
        still_open = [o for o in plan.orders if o.is_open]
        if not still_open:
            return self._note_expired(plan)
        if queued:  # no fill can come before the open: nothing was waited for
            for order in still_open:
                self.notes.append(
                    f"{order.symbol}: queued until the market opens; `trader sync` after the "
                    f"open records the fill (`trader orders` shows it meanwhile)"
                )
            return plan
        seconds = self.settings.execution.fill_timeout_seconds
        unfilled = self._unfilled_in_collar(still_open)
        for order in still_open:
            why = unfilled.get(order.seq)
            if self.options.cancel_unfilled and order.broker_order_id:
                self.broker.cancel(order.broker_order_id)
                found = self.broker.order_by_client_id(order.client_order_id)
                if found is not None:
                    record(self.store, plan.uid, order.seq, found)
                note = f"{why}; cancelled (--cancel-unfilled)" if why else None
                self.notes.append(note or f"{order.symbol}: not filled in {seconds:g} s, cancelled")
            elif why:
                note = (
                    f"{why}; it stays open at the broker until it fills or the market closes "
                    f"(a day order; `trader orders` shows it)"
                )
                self.notes.append(note)
            else:
                note = None
                self.notes.append(
                    f"{order.symbol}: not filled in {seconds:g} s; it stays open at the broker "
                    f"(`trader orders` shows it)"
                )
            if note:
                self.store.update_order(plan.uid, order.seq, message=note)
        return self._reload(plan.uid)

    def _unfilled_in_collar(self, orders: list[StagedOrder]) -> dict[int, str]:
        """For each of ``orders`` the broker holds as a limit order: the line saying it did
        not fill within the collar, with its limit and the price now."""
        limits: dict[int, Decimal] = {}
        for order in orders:
            found = self.broker.order_by_client_id(order.client_order_id)
            if found is not None and found.limit_price is not None:
                limits[order.seq] = found.limit_price
        if not limits:
            return {}
        symbols = sorted({o.symbol for o in orders if o.seq in limits})
        try:
            now = self.broker.latest_prices(symbols)
        except TraderError:  # only for the note: the order's fate is already recorded
            now = {}
        pct = plain(self.settings.execution.price_collar_pct)
        lines = {}
        for order in orders:
            limit = limits.get(order.seq)
            if limit is None:
                continue
            price = now.get(order.symbol)
            sent = order.sent_qty if order.sent_qty is not None else order.qty
            what = (
                f"{plain(order.filled_qty)} of {plain(sent)} filled"
                if order.filled_qty > ZERO
                else "not filled"
            )
            lines[order.seq] = (
                f"{order.side.value} {order.symbol}: {what} within the {pct}% collar: "
                f"limit {dollars(limit)}, price now "
                f"{dollars(price) if price is not None else 'unknown'}"
            )
        return lines

    def _note_expired(self, plan: StagedPlan) -> StagedPlan:
        """Limit orders of this run the close expired before they filled: said as such."""
        ended = [
            o
            for o in plan.orders
            if o.status == OrderStatus.EXPIRED and o.filled_qty < (o.sent_qty or o.qty)
        ]
        for seq, why in self._unfilled_in_collar(ended).items():
            note = f"{why}; the day order expired at the close"
            self.notes.append(note)
            self.store.update_order(plan.uid, seq, message=note)
        return self._reload(plan.uid) if ended else plan


def interrupted_message(plan: StagedPlan) -> str:
    """One line after Ctrl-C: what reached the broker, and how to finish the plan."""
    sent = [o for o in plan.orders if o.status not in ("staged", "skipped")]
    if not sent:
        return (
            f"interrupted: no order of plan {plan.uid} reached the broker; "
            "run `trader execute --confirm` to send it"
        )
    what = "; ".join(
        f"{o.side.value} {plain(o.sent_qty if o.sent_qty is not None else o.qty)} {o.symbol} "
        f"{o.status} ({o.client_order_id})"
        for o in sent
    )
    return (
        f"interrupted: {len(sent)} order(s) of plan {plan.uid} were sent: {what}; orders not "
        "filled stay open at the broker (`trader orders`); run `trader execute --confirm` "
        "to finish the plan (it sends only what the broker never got)"
    )


def execution_summary(outcome: ExecutionOutcome) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "plan_id": plan.uid,
        "sent": outcome.sent,
        "filled": sum(1 for o in plan.orders if o.status == OrderStatus.FILLED),
        "rejected": len(outcome.rejected),
        "open": len(outcome.still_open),
        "skipped": sum(1 for o in plan.orders if o.status == OrderStatus.SKIPPED),
    }
