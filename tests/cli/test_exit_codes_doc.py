"""The exit codes a user reads (the README's tables, the error tree in ``trader/errors.py``)
are the ones the code exits with."""

from __future__ import annotations

import re
from pathlib import Path

import trader.errors as errors
from trader.cli import run_cmd

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


ERROR_CLASSES = [errors.TraderError, *subclasses(errors.TraderError)]


def codes_in_code() -> dict[int, set[str]]:
    """Every exit code the code defines, with what defines it."""
    found: dict[int, set[str]] = {0: {"done"}}
    for cls in ERROR_CLASSES:
        if cls is not errors.TraderError:  # 1 is a bug's exit, not a documented outcome
            found.setdefault(cls.exit_code, set()).add(cls.__name__)
    for module in (errors, run_cmd):
        for name, value in vars(module).items():
            if name.startswith("EXIT_") and isinstance(value, int):
                found.setdefault(value, set()).add(name)
    return found


def readme_exit_table() -> dict[int, str]:
    section = README.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_exit_code_table_lists_exactly_the_codes_the_code_exits_with():
    table = readme_exit_table()
    assert len(table) >= 20
    assert set(table) == set(codes_in_code())


def test_the_readme_exit_code_table_names_the_bot_codes_and_the_deposit_code_where_they_are():
    table = readme_exit_table()
    for cls in (errors.TelegramError, errors.TelegramUnreachable, errors.BotLocked):
        assert table[cls.exit_code].startswith("`trader bot`"), cls.__name__
    assert "deposit" in table[errors.DepositNotArrived.exit_code]


def scope(meaning: str) -> str | None:
    """The command an exit code belongs to, when its meaning in the table says so."""
    if meaning.startswith("execute refused") or meaning.startswith("executed"):
        return "execute"
    command = re.match(r"`trader ([a-z]+)`", meaning)
    return command.group(1) if command else None


def test_each_command_row_of_the_readme_names_only_exit_codes_of_that_command():
    table = readme_exit_table()
    section = README.split("## Commands", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `trader ([a-z]+)[^|]*\| (.+) \|$", section, flags=re.MULTILINE)
    checked = 0
    for command, text in rows:
        for sentence in re.split(r"\. ", text):
            if not re.search(r"\bexit", sentence, flags=re.IGNORECASE):
                continue
            for number in map(int, re.findall(r"(?<![\w.$-])(\d+)\b", sentence)):
                if number not in table:
                    continue
                owner = scope(table[number])
                assert owner in (None, command), (command, number, table[number])
                checked += 1
    assert checked >= 6  # doctor, run and bot name their codes


def test_the_error_tree_in_the_errors_docstring_gives_each_class_its_code():
    doc = errors.__doc__ or ""
    drawn = dict(re.findall(r"[─└├]\s(\w+)\s.*\(exit (\d+)\)", doc))
    classes = {cls.__name__: cls for cls in ERROR_CLASSES}
    assert set(drawn) == set(classes) - {"TraderError"}
    for name, code in drawn.items():
        assert classes[name].exit_code == int(code), name
