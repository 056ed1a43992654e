"""``trader execute``: show what a staged plan would send, or send it with ``--confirm``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext
from trader.cli.formatting import working
from trader.core.statuses import PlanStatus
from trader.errors import (
    EXIT_ORDERS_OPEN,
    EXIT_ORDERS_QUEUED,
    ConfigError,
    ExecutionRefused,
    NothingToExecute,
    OrderRejected,
    TemporaryBrokerError,
)

if TYPE_CHECKING:
    from trader.broker.connect import OpenBroker
    from trader.core.domain import AccountMode
    from trader.core.staging import StagedPlan
    from trader.execution.executor import ExecuteOptions, ExecutionOutcome
    from trader.store import Store


@dataclass(frozen=True, slots=True)
class ExecuteResult:
    outcome: ExecutionOutcome
    payload: dict
    report_path: Path


def pick_plan(store: Store, mode: AccountMode, uid: str | None) -> StagedPlan:
    if uid is not None:
        plan = store.staged_plan(mode, uid)
        if plan is None:
            raise NothingToExecute(f"no plan {uid} for the {mode.value} account")
        return plan
    plan = store.staged_plan(mode)
    if plan is not None:
        return plan
    latest = store.latest_plan(mode)
    if latest is not None and latest.status == PlanStatus.EXECUTED:
        raise NothingToExecute(
            f"the latest plan {latest.uid} was already executed: nothing to send"
        )
    if latest is not None and latest.status == PlanStatus.REJECTED:
        raise NothingToExecute(
            f"the latest plan {latest.uid} was rejected: nothing to send; run `trader plan`"
        )
    raise NothingToExecute("no staged plan: run `trader plan` first")


@contextmanager
def execution_session(
    context: AppContext, *, live: bool, command: str
) -> Iterator[tuple[OpenBroker, Store]]:
    """The broker and the store, with the account's execution lock held, broker calls logged."""
    from trader.broker.connect import open_broker

    settings = context.settings
    if settings.account == "manual":
        raise ConfigError(
            "account 'manual' is planned only, never executed: place its orders yourself"
        )
    store = context.open_store()
    try:
        with open_broker(settings, context.home, live_flag=live) as opened:
            try:
                account = opened.broker.account()
                with store.execution_lock(f"{opened.mode.value}:{account.account_id}"):
                    store.close_abandoned_executions(opened.mode.value, account.account_id)
                    yield opened, store
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event(command, "broker_call", outcome, {"action": action})
    finally:
        store.close()


def confirm_live(opened: OpenBroker, yes: bool, orders: int) -> None:
    from trader.core.domain import AccountMode

    if opened.mode is not AccountMode.LIVE or yes:
        return
    account = opened.broker.account()
    if not sys.stdin.isatty():
        raise ConfigError(
            "live execution asks for the account number to be typed: use a terminal, or --yes"
        )
    typed = typer.prompt(
        f"Real money: type the account number ({account.masked_number}) to send {orders} order(s)"
    )
    if typed.strip() != account.account_number:
        raise typer.Abort()


def run_execute(
    context: AppContext,
    *,
    plan_id: str | None = None,
    live: bool = False,
    yes: bool = False,
    options: ExecuteOptions | None = None,
    command: str = "execute",
) -> ExecuteResult:
    """Send a staged plan (``--confirm``): lock, check, send, sync the fills, report."""
    from trader.execution.executor import ExecuteOptions, Executor
    from trader.execution.report import execution_payload
    from trader.planning.service import writable_folder
    from trader.reports import write_report
    from trader.sync import sync_account

    settings = context.settings
    reports = writable_folder(Path(settings.reports_dir))
    with execution_session(context, live=live, command=command) as (opened, store):
        plan = pick_plan(store, opened.mode, plan_id)
        executor = Executor(
            settings, opened.broker, store, opened.mode, options or ExecuteOptions()
        )
        confirm_live(opened, yes, len(plan.orders))
        try:
            outcome = executor.run(plan)
        except Exception as exc:
            store.log_event(command, "command", "error", {"plan_id": plan.uid, "error": str(exc)})
            if isinstance(exc, TemporaryBrokerError):
                raise type(exc)(
                    f"{exc}; the run stopped part way and every order sent is recorded: "
                    f"run `trader execute --confirm` again to finish plan {plan.uid}"
                ) from exc
            raise
        try:
            sync_account(opened.broker, store, opened.mode)  # record the fills and holdings
        except TemporaryBrokerError as exc:
            outcome.notes.append(f"the fills will be recorded by the next sync ({exc})")
        now = datetime.now(UTC)
        payload = execution_payload(
            outcome.plan, executed_at=now, account=opened.mode.value, notes=outcome.notes
        )
        report = write_report(reports, "execution", now, payload)
        store.log_event(
            command,
            "command",
            payload["status"],
            {"plan_id": plan.uid, "sent": outcome.sent, "report": str(report)},
        )
        return ExecuteResult(outcome, payload, report)


def exit_code(outcome: ExecutionOutcome) -> int:
    if outcome.rejected:
        return OrderRejected.exit_code
    if outcome.still_open:
        return EXIT_ORDERS_QUEUED if outcome.queued else EXIT_ORDERS_OPEN
    return 0


def execute(
    ctx: typer.Context,
    plan_id: str | None = typer.Option(
        None, "--plan", help="The staged plan to execute (default: the latest)."
    ),
    confirm: bool = typer.Option(
        False, "--confirm", help="Send the orders. Without it nothing is sent."
    ),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    yes: bool = typer.Option(False, "--yes", help="Live only: do not ask for the account number."),
    allow_queued: bool = typer.Option(
        False,
        "--allow-queued",
        help="Send while the market is closed: day orders wait for the open.",
    ),
    cancel_conflicting: bool = typer.Option(
        False,
        "--cancel-conflicting",
        help="Cancel open orders on the other side of a symbol we trade (else our order is skipped).",
    ),
    cancel_unfilled: bool = typer.Option(
        False, "--cancel-unfilled", help="Cancel orders not filled within fill_timeout_seconds."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the execution as JSON."),
    no_notify: bool = typer.Option(False, "--no-notify", help="Send no alert."),
) -> None:
    """Send a staged plan to the broker exactly once: sells first, then buys sized from the cash.

    Without --confirm it runs every check, shows what would be sent, and sends nothing.
    Exit codes: 0 filled; 8 an order was rejected; 18 orders left open; 19 orders queued
    for the open (--allow-queued); 10-17 refused before sending (see the README).
    """
    from trader.alerts import execution_alert, refusal_alert
    from trader.cli.alerting import notifier
    from trader.cli.execute_view import print_execution, print_preview
    from trader.execution.executor import ExecuteOptions, Executor

    context: AppContext = ctx.obj
    options = ExecuteOptions(
        allow_queued=allow_queued,
        cancel_conflicting=cancel_conflicting,
        cancel_unfilled=cancel_unfilled,
    )
    if not confirm:
        with execution_session(context, live=live, command="execute --preview") as (opened, store):
            plan = pick_plan(store, opened.mode, plan_id)
            executor = Executor(context.settings, opened.broker, store, opened.mode, options)
            plan, pending, prices = executor.check(plan)
        if as_json:
            typer.echo(
                json.dumps(
                    {"plan_id": plan.uid, "would_send": [o.client_order_id for o in pending]},
                    indent=2,
                )
            )
        else:
            print_preview(context.console, plan, pending, prices)
        return
    alerts = notifier(context, "execute", enabled=not no_notify)
    try:
        # No spinner on a live account: it asks for the account number to be typed.
        with working(
            context.console,
            "Sending the orders and waiting for their fills…",
            quiet=as_json or live,
        ):
            result = run_execute(context, plan_id=plan_id, live=live, yes=yes, options=options)
    except (ExecutionRefused, TemporaryBrokerError) as exc:
        alerts.send(*refusal_alert("execute", str(exc)))
        raise
    alerts.send(
        *execution_alert(result.outcome.plan, result.payload["status"], result.outcome.notes)
    )
    if as_json:
        typer.echo(json.dumps({**result.payload, "report": str(result.report_path)}, indent=2))
    else:
        print_execution(context.console, result.outcome, result.report_path)
    code = exit_code(result.outcome)
    if code:
        raise typer.Exit(code)
