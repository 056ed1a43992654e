"""The ``execute`` use case: send a staged plan exactly once, under the account's lock.

``run_execute`` locks the account, picks the plan, asks ``confirm`` (the CLI asks for a
live account's number to be typed; ``trader bot`` has confirmed by its own means), runs
the executor, syncs the fills and writes the execution report. ``trader execute``,
``trader run`` and ``trader bot`` all send through it. Under the lock, first, the
report of an executed plan that has none is written (see ``execution_reports``); a
report that cannot be written is a warning, never an error once orders went out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trader.app.execution_reports import ReportOutcome
from trader.core.statuses import PlanStatus
from trader.errors import (
    EXIT_ORDERS_OPEN,
    EXIT_ORDERS_QUEUED,
    ConfigError,
    NothingToExecute,
    OrderRejected,
    TemporaryBrokerError,
)

if TYPE_CHECKING:
    from trader.app.wiring import Wiring
    from trader.broker.connect import OpenBroker
    from trader.core.domain import AccountMode
    from trader.core.staging import StagedPlan
    from trader.execution.executor import ExecuteOptions, ExecutionOutcome
    from trader.store import Store

# Asked before anything is sent: (the open broker, the number of orders); raises to stop.
Confirm = Callable[["OpenBroker", int], None]


@dataclass(frozen=True, slots=True)
class ExecuteResult:
    outcome: ExecutionOutcome
    payload: dict
    report_path: Path | None  # None: it could not be written (see ``reports.warnings``)
    reports: ReportOutcome = field(default_factory=lambda: ReportOutcome())


MIN_PLAN_PREFIX = 4  # as git asks of a commit's short id
SHOWN_CANDIDATES = 10  # an ambiguous prefix names at most this many plans


def pick_plan(store: Store, mode: AccountMode, uid: str | None) -> StagedPlan:
    """The plan ``uid`` names (its whole id or any unique prefix of it, in any case), or else
    the latest staged plan; ``NothingToExecute`` when there is none to send."""
    if uid is not None:
        plan = store.staged_plan(mode, resolve_plan_uid(store, mode, uid))
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


def resolve_plan_uid(store: Store, mode: AccountMode, given: str) -> str:
    """The whole id of the plan ``given`` starts; ``ConfigError`` (exit 2) when it is shorter
    than four characters or starts several plans' ids, ``NothingToExecute`` when none."""
    prefix = given.strip().lower()
    if len(prefix) < MIN_PLAN_PREFIX:
        raise ConfigError(
            f"--plan {given!r}: give at least {MIN_PLAN_PREFIX} characters of the plan's id "
            "(trader history shows 8)"
        )
    found = store.plan_uids(mode, prefix, limit=SHOWN_CANDIDATES + 1)
    if not found:
        raise NothingToExecute(f"no plan {given} for the {mode.value} account")
    if len(found) > 1:
        width = max(12, len(prefix) + 4)
        shown = ", ".join(uid[:width] for uid in found[:SHOWN_CANDIDATES])
        more = " and more" if len(found) > SHOWN_CANDIDATES else ""
        raise ConfigError(
            f"--plan {given} is ambiguous: it starts the ids of plans {shown}{more}; "
            "give more of the id"
        )
    return found[0]


@contextmanager
def execution_session(
    context: Wiring, *, live: bool, command: str, reports: ReportOutcome | None = None
) -> Iterator[tuple[OpenBroker, Store]]:
    """The broker and the store, with the account's execution lock held, broker calls logged.

    Under the lock, the missing report of an executed plan is written first; what was
    written, or could not be, is added to ``reports``.
    """
    from trader.app.execution_reports import write_missing_reports
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
                # Keyed on the account number: on PostgreSQL an advisory lock that every
                # store in the database sharing the account takes (the number itself is
                # hashed into the key, and shown masked).
                with store.execution_lock(
                    f"account {account.account_number}", f"account {account.masked_number}"
                ):
                    store.close_abandoned_executions(opened.mode.value, account.account_id)
                    late = write_missing_reports(
                        store, opened.mode, Path(settings.reports_dir), command
                    )
                    if reports is not None:
                        reports.written.extend(late.written)
                        reports.warnings.extend(late.warnings)
                    yield opened, store
            finally:
                for action, outcome in opened.broker.calls:
                    store.log_event(command, "broker_call", outcome, {"action": action})
    finally:
        store.close()


def run_execute(
    context: Wiring,
    *,
    plan_id: str | None = None,
    live: bool = False,
    confirm: Confirm | None = None,
    options: ExecuteOptions | None = None,
    command: str = "execute",
    reports: ReportOutcome | None = None,
) -> ExecuteResult:
    """Send a staged plan (``--confirm``): lock, check, send, sync the fills, report.

    ``reports`` collects the reports written (late ones too) and the warnings for any
    that could not be, also when the run stops on an error.
    """
    from trader.app.execution_reports import save_report
    from trader.app.sync import sync_account
    from trader.execution.executor import ExecuteOptions, Executor
    from trader.execution.report import execution_payload
    from trader.planning.service import writable_folder

    settings = context.settings
    folder = writable_folder(Path(settings.reports_dir))
    written = ReportOutcome() if reports is None else reports
    with execution_session(context, live=live, command=command, reports=written) as (
        opened,
        store,
    ):
        plan = pick_plan(store, opened.mode, plan_id)
        executor = Executor(
            settings, opened.broker, store, opened.mode, options or ExecuteOptions()
        )
        if confirm is not None:
            confirm(opened, len(plan.orders))
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
        # The orders went out and the store has them: the report, a copy for people,
        # is never fatal (the next run writes one that is missing).
        report, warning = save_report(folder, payload, now)
        if report is None:
            written.warnings.append(warning)
        store.log_event(
            command,
            "command",
            payload["status"],
            {"plan_id": plan.uid, "sent": outcome.sent, "report": str(report) if report else None},
        )
        return ExecuteResult(outcome, payload, report, written)


def exit_code(outcome: ExecutionOutcome) -> int:
    if outcome.rejected:
        return OrderRejected.exit_code
    if outcome.still_open:
        return EXIT_ORDERS_QUEUED if outcome.queued else EXIT_ORDERS_OPEN
    return 0
