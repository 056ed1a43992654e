"""``trader demo``: the whole tour on a fresh local paper account, offline."""

from __future__ import annotations

import shutil

import typer

from trader.cli.context import AppContext
from trader.cli.formatting import money


def demo(ctx: typer.Context) -> None:
    """Run the tour on a fresh local paper account seeded with a sample portfolio (offline).

    Syncs the account, plans a rebalance with your config's rules, executes it
    (as `trader execute --confirm` would) and shows the allocation after. Only the
    demo's own sim account, in $TRADER_HOME/demo/, is touched.
    """
    from trader.app.execute import run_execute
    from trader.app.plan import run_plan
    from trader.cli.execute_view import print_execution
    from trader.cli.plan_view import allocation_table, print_review
    from trader.cli.sync_cmd import print_sync

    context: AppContext = ctx.obj
    settings = context.settings
    console = context.console
    if settings.account != "sim":
        console.print(
            f"The demo always runs on the local paper broker; your {settings.account} account is not touched."
        )
    demo_home = context.home / "demo"
    shutil.rmtree(demo_home, ignore_errors=True)
    demo_context = context.derive(
        home=demo_home, loaded=settings.model_copy(update={"account": "sim"})
    )
    console.rule("1. trader sync: the local paper broker's seed portfolio")
    outcome = run_plan(demo_context, command="demo")
    if outcome.sync is not None:  # the demo always syncs; a plan may be made without
        print_sync(demo_context, outcome.sync, as_json=False)
    console.rule("2. trader plan: drift against your targets and the orders that fix it")
    print_review(console, outcome)
    if outcome.staged is None:
        console.rule("done: nothing to execute")
        return
    console.rule("3. trader execute --confirm: sells first, then buys from the cash")
    result = run_execute(demo_context, command="demo")
    print_execution(console, result.outcome, result.report_path)
    console.rule("4. after: trader plan again")
    after = run_plan(demo_context, command="demo")
    console.print(allocation_table(after.plan, width=console.width))
    verdict = (
        "every category is within its band: no rebalance is due"
        if not after.plan.due
        else "a rebalance is still due (see `trader plan`)"
    )
    if after.plan.orders:
        kinds = sorted({o.kind.replace("_", " ") for o in after.plan.orders})
        verdict += (
            f"; {len(after.plan.orders)} more order(s) ({', '.join(kinds)}) are staged for "
            f"a next run (see `trader plan`)"
        )
    console.print(
        f"Cash {money(after.plan.cash)} (reserve {money(after.policy.cash_reserve)}); {verdict}."
    )
    console.rule("done")
    console.print(
        f"Reports: {demo_context.settings.reports_dir}/. This demo's sim state and database: "
        f"{demo_home}/. Try `trader --help`."
    )
