"""``trader demo``: the tour on a fresh local paper account, offline."""

from __future__ import annotations

import shutil

import typer

from trader.cli.context import AppContext
from trader.cli.plan_cmd import run_plan
from trader.cli.plan_view import print_review
from trader.cli.sync_cmd import print_sync


def demo(ctx: typer.Context) -> None:
    """Run the tour on a fresh local paper account seeded with the brief's portfolio (offline).

    Syncs the account, then plans and stages a rebalance with your config's rules.
    Nothing is sent: the demo account lives in $TRADER_HOME/demo/.
    """
    context: AppContext = ctx.obj
    settings = context.settings
    if settings.account != "sim":
        context.console.print(
            f"The demo always runs on the local paper broker; your {settings.account} account is not touched."
        )
    demo_home = context.home / "demo"
    shutil.rmtree(demo_home, ignore_errors=True)
    demo_context = context.derive(
        home=demo_home, loaded=settings.model_copy(update={"account": "sim"})
    )
    console = context.console
    console.rule("1. trader sync: the local paper broker's seed portfolio")
    outcome = run_plan(demo_context, command="demo")
    if outcome.sync is not None:  # the demo always syncs; a plan may be made without
        print_sync(demo_context, outcome.sync, as_json=False)
    console.rule("2. trader plan: drift against your targets and the orders that fix it")
    print_review(console, outcome)
    console.rule("done")
    console.print(
        f"This demo's sim state and database: {demo_home}/. Plans are staged, never sent: "
        f"`trader execute` is not built yet."
    )
