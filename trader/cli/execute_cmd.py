"""``trader execute``: show what a staged plan would send, or send it with ``--confirm``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext
from trader.cli.formatting import working
from trader.errors import ConfigError, ExecutionRefused, TemporaryBrokerError

if TYPE_CHECKING:
    from trader.app.execution_reports import ReportOutcome
    from trader.broker.connect import OpenBroker


def confirm_live(opened: OpenBroker, orders: int) -> None:
    """On a live account, the account number typed at the terminal, or no orders are sent."""
    from trader.core.domain import AccountMode

    if opened.mode is not AccountMode.LIVE:
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


def tell_reports(reports: ReportOutcome) -> None:
    """On standard error (standard output may be JSON): reports written late, or not at all."""
    for path in reports.written:
        typer.echo(f"note: wrote the missing execution report of an earlier run: {path}", err=True)
    for warning in reports.warnings:
        typer.echo(f"warning: {warning}", err=True)


def execute(
    ctx: typer.Context,
    plan_id: str | None = typer.Option(
        None,
        "--plan",
        metavar="ID",
        help="The staged plan to execute: its id, or any unique prefix of 4 characters or "
        "more, as trader history shows (default: the latest).",
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

    Orders are day limit orders within execution.price_collar_pct of the latest price
    (execution.order_type: market sends market orders). Without --confirm it runs every
    check, shows what would be sent at which limit, and sends nothing.
    Exit codes: 0 filled; 8 an order was rejected; 18 orders left open (one not filled
    within the collar included); 19 orders queued for the open (--allow-queued); 10-17
    refused before sending (see the README).
    """
    from trader.app.execute import execution_session, exit_code, pick_plan, run_execute
    from trader.app.execution_reports import ReportOutcome
    from trader.cli.alert_views import execution_alert, refusal_alert
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
        late = ReportOutcome()
        try:
            with execution_session(
                context, live=live, command="execute --preview", reports=late
            ) as (opened, store):
                plan = pick_plan(store, opened.mode, plan_id)
                executor = Executor(context.settings, opened.broker, store, opened.mode, options)
                plan, pending, prices = executor.check(plan)
                limits = executor.limits(pending, prices)
        finally:
            tell_reports(late)
        if as_json:
            typer.echo(
                json.dumps(
                    {"plan_id": plan.uid, "would_send": [o.client_order_id for o in pending]},
                    indent=2,
                )
            )
        else:
            print_preview(
                context.console,
                plan,
                pending,
                prices,
                limits,
                context.settings.execution.price_collar_pct,
            )
        return
    alerts = notifier(context, "execute", enabled=not no_notify)
    late = ReportOutcome()
    try:
        # No spinner on a live account: it asks for the account number to be typed.
        with working(
            context.console,
            "Sending the orders and waiting for their fills…",
            quiet=as_json or live,
        ):
            result = run_execute(
                context,
                plan_id=plan_id,
                live=live,
                confirm=None if yes else confirm_live,
                options=options,
                reports=late,
            )
    except (ExecutionRefused, TemporaryBrokerError) as exc:
        alerts.send(*refusal_alert("execute", str(exc)))
        raise
    finally:
        tell_reports(late)
    alerts.send(
        *execution_alert(result.outcome.plan, result.payload["status"], result.outcome.notes)
    )
    if as_json:
        report = str(result.report_path) if result.report_path else None
        typer.echo(json.dumps({**result.payload, "report": report}, indent=2))
    else:
        print_execution(context.console, result.outcome, result.report_path)
    code = exit_code(result.outcome)
    if code:
        raise typer.Exit(code)
