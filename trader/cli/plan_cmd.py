"""``trader plan``: compute the rebalancing plan, stage it, show the review."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import typer

from trader.cli.context import AppContext

if TYPE_CHECKING:
    from trader.core.engine import CashFlow

CENT = Decimal("0.01")
MOST_DOLLARS = Decimal("1e12")


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
    report: bool = typer.Option(
        False,
        "--report",
        help="Write the JSON report even when the plan has no orders (one with orders "
        "always has its report).",
    ),
    buy_only: bool = typer.Option(
        False,
        "--buy-only",
        help="Sell nothing: spend the cash above the reserve on the most underweight "
        "categories (as rebalancing.cash_flow: buy_only).",
    ),
    deposit: str | None = typer.Option(
        None,
        "--deposit",
        metavar="AMOUNT",
        help="Plan as if AMOUNT dollars more were in cash (a transfer on its way); "
        "`trader execute` refuses the plan (exit 22) until the cash has arrived.",
    ),
    withdraw: str | None = typer.Option(
        None,
        "--withdraw",
        metavar="AMOUNT",
        help="Sell to have AMOUNT dollars in cash above the reserve, from the most "
        "overweight categories first; you transfer it out yourself. Once executed, it stays "
        "set aside in every plan until it leaves the account.",
    ),
    cancel_withdrawal: bool = typer.Option(
        False,
        "--cancel-withdrawal",
        help="Stop keeping the withdrawal set aside (raised, not yet transferred out): "
        "this plan may invest it again.",
    ),
) -> None:
    """Compute the orders that bring the portfolio back to target, stage them and show them.

    Nothing is sent to the broker. A plan with orders is staged (superseding the
    older staged plan) and written as JSON to the reports folder; a plan without
    orders is written there only with --report.
    rebalancing.cash_flow decides whether new cash is invested with buys alone
    (buy_only, or prefer when that brings every category within its band) or the
    plan is the full rebalance.
    """
    from trader.app.plan import run_plan
    from trader.cli.alerting import send_plan_alert
    from trader.cli.plan_view import print_review

    context: AppContext = ctx.obj
    cash_flow = _cash_flow(deposit, withdraw)
    if buy_only and cash_flow.withdrawal:
        raise typer.BadParameter(
            "--buy-only sells nothing, and a withdrawal is raised by selling: give one of them"
        )
    if cancel_withdrawal and cash_flow.withdrawal:
        raise typer.BadParameter("give --withdraw or --cancel-withdrawal, not both")
    outcome = run_plan(
        context,
        sync=not no_sync,
        live=live,
        cash_flow=cash_flow,
        buy_only=buy_only,
        cancel_withdrawal=cancel_withdrawal,
        report=report,
    )
    if outcome.staged is not None:
        send_plan_alert(context, "plan", outcome, enabled=not no_notify, buttons=True)
    if as_json:
        path = str(outcome.report_path) if outcome.report_path else None
        typer.echo(json.dumps({**outcome.payload, "report": path}, indent=2))
        return
    print_review(context.console, outcome)


def _amount(value: str, option: str) -> Decimal:
    """A positive number of dollars, in whole cents."""
    try:
        amount = Decimal(value.strip().replace(",", "").removeprefix("$"))
    except InvalidOperation:
        raise typer.BadParameter(
            f"{value!r} is not an amount of dollars", param_hint=option
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise typer.BadParameter(f"{value} must be a positive amount", param_hint=option)
    if amount != amount.quantize(CENT) or amount > MOST_DOLLARS:
        raise typer.BadParameter(f"{value} is not a dollar amount in cents", param_hint=option)
    return amount


def _cash_flow(deposit: str | None, withdraw: str | None) -> CashFlow:
    from trader.core.engine import NO_CASH_FLOW, CashFlow

    if deposit is not None and withdraw is not None:
        raise typer.BadParameter("give --deposit or --withdraw, not both")
    if deposit is not None:
        return CashFlow(deposit=_amount(deposit, "--deposit"))
    if withdraw is not None:
        return CashFlow(withdrawal=_amount(withdraw, "--withdraw"))
    return NO_CASH_FLOW
