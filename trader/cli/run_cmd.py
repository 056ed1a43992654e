"""``trader run`` for cron, ``trader status`` and ``trader schedule --print-cron``.

``trader run`` syncs, decides whether a check is due (every run for the ``threshold``
method; on the schedule's check days for ``calendar`` and ``hybrid``), plans and stages
when a rebalance (or a harvest, or a trailing stop) is called for, alerts, and exits
with a code that says what happened. It sends orders only with ``auto_execute: true``
on a ``sim`` or ``paper`` account; a live account is always confirmed by hand.
While the account mode is paused (``/pause`` in Telegram) it does nothing at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext
from trader.errors import ConfigError, ExecutionRefused, TemporaryBrokerError

if TYPE_CHECKING:
    from trader.store.bot import Pause

EXIT_STAGED = 20  # a plan waits for your review
EXIT_EXECUTED = 21  # auto_execute sent a plan and every order filled


def pause_line(pause: Pause) -> str:
    from trader.core.schedule import market_time

    return (
        f"Paused since {market_time(pause.paused_at)} ({pause.paused_by}): `trader run` "
        f"stages and sends nothing; /resume in Telegram lifts it"
    )


def run(
    ctx: typer.Context,
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    no_notify: bool = typer.Option(False, "--no-notify", help="Send no alert."),
) -> None:
    """Sync, check on schedule, plan and stage when needed, alert; for cron or a timer.

    Does nothing while paused (/pause in Telegram).
    Exit codes: 0 nothing to do (not a check day, or paused); 20 a plan is staged for review;
    21 auto_execute sent it and everything filled; 8 or 18 auto_execute left orders
    rejected or open; 10-17 execution refused; 2-9 errors as for every command.
    """
    from trader.app.execute import exit_code, run_execute
    from trader.app.execution_reports import ReportOutcome
    from trader.app.run import look, paused
    from trader.cli.alert_views import execution_alert, refusal_alert
    from trader.cli.alerting import notifier, send_plan_alert
    from trader.cli.execute_cmd import confirm_live, tell_reports
    from trader.core.domain import AccountMode
    from trader.planning.service import plan_account

    context: AppContext = ctx.obj
    settings = context.settings
    console = context.console
    mode = AccountMode(settings.account)
    pause = paused(context, mode)
    if pause is not None:
        console.print(f"{pause_line(pause)}.")
        return
    today = look(context, live=live, sync=True)
    if not today.decision.due:
        console.print(f"No check today: {today.decision.reason}.")
        return
    store = context.open_store()
    try:
        store.log_event("run", "check", mode.value, {"day": today.day.isoformat()})
        outcome = plan_account(
            settings,
            context.home,
            store,
            sync=False,
            live=live,
            command="run",
            calendar_due=settings.rebalancing.method != "threshold",
        )
    finally:
        store.close()
    alerts = notifier(context, "run", enabled=not no_notify)
    if outcome.staged is None:
        console.print(f"Checked ({today.decision.reason}): nothing to do.")
        return
    auto = settings.auto_execute and mode in (AccountMode.SIM, AccountMode.PAPER)
    send_plan_alert(context, "run", outcome, enabled=not no_notify, buttons=not auto)
    console.print(
        f"Checked ({today.decision.reason}): plan {outcome.staged.uid} staged with "
        f"{len(outcome.staged.orders)} order(s). Report: {outcome.report_path}"
    )
    if not settings.auto_execute:
        console.print(
            "Review it with `trader execute` (sends nothing); send it with `trader execute --confirm`."
        )
        raise typer.Exit(EXIT_STAGED)
    if mode not in (AccountMode.SIM, AccountMode.PAPER):
        console.print(f"auto_execute is ignored on a {mode.value} account: confirm by hand.")
        raise typer.Exit(EXIT_STAGED)
    late = ReportOutcome()
    try:
        result = run_execute(
            context, plan_id=outcome.staged.uid, command="run", confirm=confirm_live, reports=late
        )
    except (ExecutionRefused, TemporaryBrokerError) as exc:
        alerts.send(*refusal_alert("auto-execute", str(exc)))
        raise
    finally:
        tell_reports(late)
    alerts.send(
        *execution_alert(result.outcome.plan, result.payload["status"], result.outcome.notes)
    )
    console.print(
        f"Executed automatically: {result.payload['status']}. "
        + (f"Report: {result.report_path}" if result.report_path else "No report.")
    )
    raise typer.Exit(exit_code(result.outcome) or EXIT_EXECUTED)


def status(
    ctx: typer.Context,
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Say whether a check is due today, when the next one is, and why; whether paused; any withdrawal set aside."""
    from trader.app.run import look, paused, withdrawal_set_aside
    from trader.core.domain import AccountMode
    from trader.core.schedule import next_check
    from trader.planning.schedule_inputs import describe, schedule_entries

    context: AppContext = ctx.obj
    settings = context.settings
    today = look(context, live=live, sync=False)
    pause = paused(context, AccountMode(settings.account))
    aside = withdrawal_set_aside(context, AccountMode(settings.account))
    method = settings.rebalancing.method
    entries = schedule_entries(settings) if method != "threshold" else []
    upcoming = next_check(entries, today.day, today.trading, today.last_check) if entries else None
    if as_json:
        payload = {
            "account": settings.account,
            "method": method,
            "market_date": today.day.isoformat(),
            "schedule": describe(entries) if entries else "every run (threshold)",
            "last_check": today.last_check.isoformat() if today.last_check else None,
            "next_check": upcoming.isoformat() if upcoming else None,
            "due": today.decision.due,
            "reason": today.decision.reason,
            "auto_execute": settings.auto_execute,
            "paused": None
            if pause is None
            else {"since": pause.paused_at.isoformat(), "by": pause.paused_by},
            "withdrawal_set_aside": None
            if aside is None
            else {
                "amount": str(aside.amount),
                "raised_on": aside.raised_on.isoformat(),
                "plan_id": aside.plan_uid,
            },
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    console = context.console
    console.print(f"Account: {settings.account}   Method: {method}   Market date: {today.day}")
    if method == "threshold":
        console.print("Checks the drift bands on every `trader run` (on trading days).")
    else:
        console.print(f"Schedule: {describe(entries)}")
        console.print(f"Last scheduled check: {today.last_check or 'never'}")
        console.print(f"Next check: {upcoming or 'none in the next 120 days'}")
        if method == "hybrid":
            console.print("Hybrid: on a check day, a rebalance happens only if a band is broken.")
    console.print(f"Today: {'due' if today.decision.due else 'not due'} — {today.decision.reason}.")
    if settings.auto_execute:
        console.print("auto_execute: on (sim and paper accounts only)")
    if pause is not None:
        console.print(f"{pause_line(pause)}.")
    if aside is not None:
        console.print(f"Withdrawal: {aside.line()}.")


def schedule(
    ctx: typer.Context,
    print_cron: bool = typer.Option(
        False, "--print-cron", help="Print the crontab lines for the configured schedule."
    ),
    cron_tz: str | None = typer.Option(
        None,
        "--cron-tz",
        metavar="ZONE",
        help="The time zone your cron reads its times in, e.g. UTC (default: the "
        "machine's, /etc/localtime).",
    ),
) -> None:
    """Show the configured schedule; --print-cron prints the crontab lines that run it."""
    import shlex
    from datetime import UTC, datetime

    from trader.cli.cron_clock import machine_zone, zone_named
    from trader.cli.cron_lines import cron_lines
    from trader.planning.schedule_inputs import describe, schedule_entries
    from trader.settings import config_path

    context: AppContext = ctx.obj
    settings = context.settings
    entries = schedule_entries(settings)
    method = settings.rebalancing.method
    what = (
        "every trading day (threshold: the bands are checked on each run)"
        if method == "threshold"
        else describe(entries)
    )
    if not print_cron:
        context.console.print(f"Method {method}: {what}. `trader schedule --print-cron` for cron.")
        return
    trader = Path(sys.argv[0]).resolve() if Path(sys.argv[0]).name == "trader" else None
    command = shlex.quote(str(trader)) if trader else f"{shlex.quote(sys.executable)} -m trader"
    config = config_path(context.config_path) if context.config_path else None
    if cron_tz is None:
        zone, zone_name = machine_zone()
    else:
        try:
            zone, zone_name = zone_named(cron_tz), cron_tz
        except ValueError as exc:
            raise ConfigError(f"--cron-tz: {exc}") from None
    this_year = datetime.now(UTC).year
    lines = cron_lines(
        what,
        command,
        context.home,
        config,
        zone=zone,
        zone_name=zone_name,
        years=(this_year, this_year + 1),
    )
    for line in lines:
        typer.echo(line)
