"""Find, read and validate the config file, turning every problem into one line.

A problem reads ``config/portfolio_allocation.yaml:12: rebalancing.drift_treshold:
unknown key`` — the file, the line, the key and what is wrong — and is raised as a
:class:`~trader.errors.ConfigError` (exit code 2) before anything touches a broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from trader.errors import ConfigError
from trader.settings.models import Settings, consistency_problems
from trader.settings.yaml_source import YamlDocument, read_yaml

DEFAULT_CONFIG_PATH = Path("config/portfolio_allocation.yaml")


def config_path(explicit: Path | None = None) -> Path:
    """``--config`` first, then ``TRADER_CONFIG``, then the shipped default."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("TRADER_CONFIG")
    return Path(from_env) if from_env else DEFAULT_CONFIG_PATH


def _dotted(loc: tuple[str | int, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def _describe(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        value = error.get("input")
        return f"{value!r} is not a valid name here (symbols are upper case like XLK; categories lower_case)"
    if kind == "literal_error":
        return f"{error.get('input')!r} is not allowed: {error['msg'].removeprefix('Input should be ')}"
    message = str(error.get("msg", "invalid value"))
    return message[0].lower() + message[1:] if message else "invalid value"


def _locate(doc: YamlDocument, loc: tuple[str | int, ...]) -> str:
    line = doc.line_of(loc)
    return f"{doc.path}:{line}" if line is not None else str(doc.path)


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the config; the first problem found is raised as ConfigError."""
    doc = read_yaml(config_path(path))
    try:
        settings = Settings.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        # pydantic reports dict keys of a wrong pattern with a trailing "[key]" marker.
        loc = tuple(p for p in first["loc"] if p != "[key]")
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(
            f"{_locate(doc, loc)}: {_dotted(loc)}: {_describe(first)}{suffix}"
        ) from None
    problems = consistency_problems(settings)
    if problems:
        loc, message = problems[0]
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{_locate(doc, loc)}: {_dotted(loc)}: {message}{suffix}")
    return settings
