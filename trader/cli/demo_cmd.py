"""``trader demo``: the tour on a fresh local paper account, offline."""

from __future__ import annotations

import shutil

import typer

from trader.cli.context import AppContext
from trader.cli.sync_cmd import print_sync, run_sync


def demo(ctx: typer.Context) -> None:
    """Run the tour on a fresh local paper account seeded with the brief's portfolio (offline)."""
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
    context.console.rule("trader demo: the local paper broker, seed portfolio")
    result = run_sync(demo_context, command="demo")
    print_sync(demo_context, result, as_json=False)
    context.console.print(f"This demo's sim state and database: {demo_home}/")
