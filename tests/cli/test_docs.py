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
