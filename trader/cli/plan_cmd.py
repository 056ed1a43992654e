"""``trader plan``: compute the rebalancing plan, stage it, show the review."""

from __future__ import annotations

import json

import typer

from trader.cli.alerting import send_plan_alert
from trader.cli.context import AppContext
from trader.cli.plan_view import print_review
from trader.planning.service import PlanOutcome, plan_account


def run_plan(
    context: AppContext, *, sync: bool = True, live: bool = False, command: str = "plan"
) -> PlanOutcome:
    settings = context.settings  # config errors stop here, before any broker is touched
    store = context.open_store()
    try:
        try:
            return plan_account(
                settings, context.home, store, sync=sync, live=live, command=command
            )
        except Exception as exc:
            store.log_event(command, "command", "error", {"error": str(exc)})
            raise
    finally:
        store.close()


def plan(
    ctx: typer.Context,
    no_sync: bool = typer.Option(
        False,
        "--no-sync",
        help="Plan from the last stored sync instead of reading the account first "
        "(prices of symbols not held are still read).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON on stdout."),
    live: bool = typer.Option(False, "--live", help="Confirm a live (real money) account."),
    no_notify: bool = typer.Option(False, "--no-notify", help="Send no alert."),
) -> None:
    """Compute the orders that bring the portfolio back to target, stage them and show them.

    Nothing is sent to the broker. A plan with orders is staged (superseding the
    older staged plan) and every plan is written as JSON to the reports folder.
    """
    context: AppContext = ctx.obj
    outcome = run_plan(context, sync=not no_sync, live=live)
    if outcome.staged is not None:
        send_plan_alert(context, "plan", outcome, enabled=not no_notify, buttons=True)
    if as_json:
        typer.echo(json.dumps({**outcome.payload, "report": str(outcome.report_path)}, indent=2))
        return
    print_review(context.console, outcome)
