"""The README documents every command the CLI has, and no command it lacks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

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


def flat(text: str) -> str:
    """Help text as words: the panels' borders and the line wrapping taken out."""
    return " ".join(text.translate(str.maketrans("│╭╮╰╯─", "      ")).split())


def commands() -> dict[str, Any]:
    """Every command the CLI has (as typer builds it for the command line), by its words
    on the command line, the groups included."""
    found: dict[str, Any] = {}

    def walk(command: Any, words: tuple[str, ...]) -> None:
        found[" ".join(words)] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*words, name))

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_has_its_own_help_with_each_option_and_flags_show_no_type(trader_main):
    found = commands()
    assert {"", "sync", "plan", "sim", "sim serve"} <= set(found)
    assert set(found) - {""} == registered() | {"sim"}
    for words, command in sorted(found.items()):
        result = trader_main(*words.split(), "--help", env={"COLUMNS": "200"})
        assert result.code == 0, words
        shown = flat(result.out)
        summary = flat((command.help or "").split("\n\n")[0])
        assert summary and summary in shown, (words, summary)
        for param in command.params:
            if param.name == "help":
                continue
            argument = [param.metavar or param.name.upper()]
            names = param.opts if param.param_type_name == "option" else argument
            assert any(name in shown for name in names), (words, param.name)
            assert param.help, (words, param.name)  # every option and argument says what it is
            assert flat(param.help) in shown, (words, param.name)
        for name, sub in getattr(command, "commands", {}).items():
            # A group lists each of its commands with the start of its own help.
            assert f"{name} {flat(sub.help or '')[:40]}" in shown, (words, name)
        assert "<bool>" not in result.out, words  # a flag takes no value


def test_the_strategies_default_is_shown_whole(trader_main):
    help_text = trader_main("backtest", "--help", env={"COLUMNS": "100"}).out
    out = " ".join(help_text.replace("│", " ").split())
    assert "buy_hold, annual, quarterly, monthly, threshold, relative, band_edge" in out


def listed(help_text: str) -> dict[str, str]:
    """The command list of a group's help: each command's name and its text, flowed."""
    entries: dict[str, list[str]] = {}
    section = help_text.split("\nCommands:\n", 1)[1]
    for line in section.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition(" ")
            entries[name] = [text]
        elif line.startswith("   ") and entries:
            entries[list(entries)[-1]].append(line)
    return {name: flat(" ".join(parts)) for name, parts in entries.items()}


def test_the_command_list_gives_each_summary_whole_as_flowing_text(trader_main):
    """A summary is its docstring's first paragraph, whole, wrapped to the terminal (the
    docstring's own line breaks are not kept), and nothing else of the docstring."""
    every = commands()
    for group in ("", "sim"):
        shown = listed(trader_main(*group.split(), "--help", env={"COLUMNS": "100"}).out)
        found = {
            words.removeprefix(group).strip(): command
            for words, command in every.items()
            if words and words.startswith(group) and len(words.split()) == len(group.split()) + 1
        }
        assert set(shown) == set(found), group
        for name, command in found.items():
            paragraphs = (command.help or "").split("\n\n")
            assert shown[name] == flat(paragraphs[0]), (group, name)
