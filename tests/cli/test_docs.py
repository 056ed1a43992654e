"""The README documents every command the CLI has, and no command it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from trader.cli.app import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def registered() -> set[str]:
    names = {command.name for command in app.registered_commands}
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            names.add(f"{group.name} {command.name}")
    return names


def test_every_command_is_in_the_readme_command_table():
    names = registered()
    assert {"sync", "plan", "demo", "sim serve"} <= names
    for name in names:
        assert f"| `trader {name}" in README, name


def test_the_readme_command_table_names_no_missing_command():
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    table = re.findall(r"^\| `trader ([a-z]+(?: [a-z]+)?)", section, flags=re.MULTILINE)
    assert len(table) >= 6
    names = registered()
    for documented in table:
        assert documented in names or documented.split()[0] in names, documented


def test_every_command_has_its_own_help_and_flags_show_no_type(trader_main):
    commands = {c.name: c for c in app.registered_commands}
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            commands[f"{group.name} {command.name}"] = command
    for name, command in sorted(commands.items()):
        result = trader_main(*name.split(), "--help", env={"COLUMNS": "200"})
        assert result.code == 0, name
        first_line = " ".join((command.callback.__doc__ or "").split("\n\n")[0].split())
        assert first_line and first_line[:60] in " ".join(result.out.split()), name
        assert "<bool>" not in result.out, name  # a flag takes no value


def test_the_strategies_default_is_shown_whole(trader_main):
    help_text = trader_main("backtest", "--help", env={"COLUMNS": "100"}).out
    out = " ".join(help_text.replace("│", " ").split())
    assert "buy_hold, annual, quarterly, monthly, threshold, relative, band_edge" in out
