"""The ``trader`` command and its error boundary.

Each command is a thin layer over the library. :func:`main` is the one place that
turns a :class:`~trader.errors.TraderError` into a single line on stderr and the
error's own exit code; anything else is a bug and keeps its traceback.

Every command module is imported here, for its options and help, whatever command runs.
So a command module imports at its top only what its help needs (typer, rich, the
standard library, ``trader.core`` and ``trader.errors``), and imports the library behind
the command (the broker, the store, the settings, numpy...) inside the function that
runs it: ``trader --help`` and ``trader CMD --help`` then start in a fraction of a
second. ``tests/cli/test_startup.py`` holds every command to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from trader.cli.context import AppContext
from trader.errors import TraderError

app = typer.Typer(
    name="trader",
    help="Semi-automated portfolio rebalancer for Alpaca accounts (sim, paper or live).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("trader")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from trader import __version__ as number
        typer.echo(f"trader {number}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        metavar="FILE",
        help="Config file (default: $TRADER_CONFIG or config/portfolio_allocation.yaml).",
        dir_okay=False,
    ),
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Print trader's version and exit.",
        is_eager=True,
        callback=_show_version,
    ),
) -> None:
    """Semi-automated portfolio rebalancer for Alpaca accounts (sim, paper or live)."""
    ctx.obj = AppContext(config_path=config)


def _summary(function: object) -> str:
    """A command's line in its group's list: its docstring's first paragraph, whole and on
    one line (click would otherwise cut it to the width left, ending in "...")."""
    doc = getattr(function, "__doc__", None) or ""
    return " ".join(doc.strip().split("\n\n", 1)[0].split())


def _summarise(group: typer.Typer) -> None:
    for info in group.registered_commands:
        info.short_help = info.short_help or _summary(info.callback)


def _register() -> None:
    from trader.cli import (
        backtest_cmd,
        bot_cmd,
        demo_cmd,
        doctor_cmd,
        execute_cmd,
        lots_cmd,
        orders_cmd,
        plan_cmd,
        run_cmd,
        scores_cmd,
        sim_cmd,
        sync_cmd,
        taxes_cmd,
    )

    app.command("doctor")(doctor_cmd.doctor)
    app.command("sync")(sync_cmd.sync)
    app.command("plan")(plan_cmd.plan)
    app.command("execute")(execute_cmd.execute)
    app.command("orders")(orders_cmd.orders)
    app.command("history")(orders_cmd.history)
    app.command("lots")(lots_cmd.lots)
    app.command("taxes")(taxes_cmd.taxes)
    app.command("run")(run_cmd.run)
    app.command("status")(run_cmd.status)
    app.command("schedule")(run_cmd.schedule)
    app.command("scores")(scores_cmd.scores)
    app.command("backtest")(backtest_cmd.backtest)
    app.command("demo")(demo_cmd.demo)
    app.command("bot")(bot_cmd.bot)
    app.add_typer(sim_cmd.sim_app, name="sim")
    _summarise(app)
    _summarise(sim_cmd.sim_app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning project errors into one line and an exit code."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="trader")
    except TraderError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: typer prints them and names the code
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(result if isinstance(result, int) else 0)
