"""``trader plan``: compute the rebalancing plan, stage it, show the review."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext

if TYPE_CHECKING:
    from trader.planning.service import PlanOutcome


def run_plan(
    context: AppContext, *, sync: bool = True, live: bool = False, command: str = "plan"
) -> PlanOutcome:
    from trader.planning.service import plan_account

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
    from trader.alerts import plan_alert
    from trader.cli.alerting import notifier
    from trader.cli.plan_view import print_review

    context: AppContext = ctx.obj
    outcome = run_plan(context, sync=not no_sync, live=live)
    if outcome.staged is not None:
        notifier(context, "plan", enabled=not no_notify).send(*plan_alert(outcome))
    if as_json:
        typer.echo(json.dumps({**outcome.payload, "report": str(outcome.report_path)}, indent=2))
        return
    print_review(context.console, outcome)
