"""``trader doctor``: the first command to run; checks the set-up and never trades."""

from __future__ import annotations

import json

import typer

from trader.cli.context import AppContext


def doctor(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check the config, endpoints, keys, account, data feed, symbols and database.

    Each check passes or fails with a reason and a fix; exits 0 only when all pass
    (otherwise with the first failure's exit code). Never sends an order."""
    from trader.doctor import diagnose
    from trader.settings.loader import config_path

    context: AppContext = ctx.obj
    found = diagnose(context.settings, config_path(context.config_path), context.home)
    if as_json:
        typer.echo(json.dumps(found.to_json(), indent=2))
    else:
        console = context.console
        console.print(f"Config: {found.config} (account: [bold]{found.mode}[/])")
        if found.trading_url:
            console.print(f"Trading URL: {found.trading_url}")
            console.print(f"Data URL:    {found.data_url}")
        for check in found.checks:
            mark = "[green]pass[/]" if check.ok else "[red]FAIL[/]"
            console.print(f"{mark}  {check.name}: {check.detail}", highlight=False)
            if not check.ok and check.fix:
                console.print(f"      fix: {check.fix}", highlight=False)
    if not found.ok:
        raise typer.Exit(found.exit_code)
