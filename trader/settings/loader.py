"""Find, read and validate the config file, turning every problem into one line.

A problem reads ``config/portfolio_allocation.yaml:12: rebalancing.drift_treshold:
unknown key (did you mean drift_threshold?)`` — the file, the line, the key and what is
wrong — and every problem found is raised together as a
:class:`~trader.errors.ConfigError` (exit code 2) before anything touches a broker. A
word YAML reads as a boolean (``ON``, ``NO``, ``Y``) is named as such.
"""

from __future__ import annotations

import os
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from trader.errors import ConfigError
from trader.settings.models import (
    CATEGORY_NAME_PATTERN,
    SYMBOL_PATTERN,
    Settings,
    consistency_problems,
)
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


# What each name pattern of the schema means, in words (the pattern alone is cryptic).
NAME_RULES = {
    CATEGORY_NAME_PATTERN: (
        "a category name is 1 to 40 ASCII characters: lower-case letters a-z, digits and "
        "underscores, starting with a letter, like leveraged_long"
    ),
    SYMBOL_PATTERN: (
        "a symbol is 1 to 10 ASCII characters: upper-case letters A-Z, digits and dots, "
        "starting with a letter, like XLK or BRK.B"
    ),
}

YAML_BOOLEAN_WORDS = frozenset(
    {"y", "yes", "n", "no", "on", "off"}  # YAML 1.1 reads these as true/false
)


def _describe(error: dict, doc: YamlDocument, loc: tuple[str | int, ...]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        near = _nearest_key(loc)
        return "unknown key" + (f" (did you mean {near}?)" if near else "")
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        value = error.get("input")
        rule = NAME_RULES.get(str(error.get("ctx", {}).get("pattern", "")), "")
        return f"{value!r} is not a valid name here" + (f" ({rule})" if rule else "")
    if kind == "literal_error":
        message = f"{error.get('input')!r} is not allowed: {error['msg'].removeprefix('Input should be ')}"
    else:
        text = str(error.get("msg", "invalid value"))
        message = text[0].lower() + text[1:] if text else "invalid value"
    written = doc.text_of(loc)
    if isinstance(error.get("input"), bool) and (written or "").lower() in YAML_BOOLEAN_WORDS:
        message += (
            f" (YAML reads {written} as {str(error['input']).lower()}: quote it, '{written}')"
        )
    return message


def _nearest_key(loc: tuple[str | int, ...]) -> str | None:
    """The allowed key closest to an unknown one, from the config's schema."""
    model: Any = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    close = get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    return close[0] if close else None


def _locate(doc: YamlDocument, loc: tuple[str | int, ...]) -> str:
    line = doc.line_of(loc)
    return f"{doc.path}:{line}" if line is not None else str(doc.path)


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the config; every problem found is raised in one ConfigError,
    a line each, each naming the file line and the key."""
    doc = read_yaml(config_path(path))
    try:
        settings = Settings.model_validate(doc.data)
    except ValidationError as exc:
        found = []
        for error in exc.errors():
            # pydantic reports dict keys of a wrong pattern with a trailing "[key]" marker.
            loc = tuple(p for p in error["loc"] if p != "[key]")
            found.append((loc, _describe(error, doc, loc)))
        raise ConfigError(_one_per_line(doc, found)) from None
    problems = [
        *consistency_problems(settings),
        *_policy_problems(settings),
        *_scenario_problems(settings),
    ]
    if problems:
        raise ConfigError(_one_per_line(doc, problems))
    return _anchored(settings, doc.path)


def _anchored(settings: Settings, path: Path) -> Settings:
    """A relative ``reports_dir`` is relative to the config file's folder, not to the
    folder trader happens to run in: reports land in one place wherever it runs."""
    folder = Path(settings.reports_dir).expanduser()
    if folder.is_absolute():
        return settings.model_copy(update={"reports_dir": str(folder)})
    anchored = os.path.normpath(path.absolute().parent / folder)
    return settings.model_copy(update={"reports_dir": anchored})


# Where each policy field is written in the config (the rest are top-level keys).
POLICY_KEYS: dict[str, tuple[str, ...]] = {
    "drift_threshold": ("rebalancing", "drift_threshold"),
    "relative_threshold": ("rebalancing", "relative_threshold"),
    "min_trade_dollars": ("rebalancing", "min_trade_dollars"),
    "max_trades_per_session": ("rebalancing", "max_trades_per_session"),
    "prefer_etfs_with_score_above": ("rebalancing", "prefer_etfs_with_score_above"),
    "max_single_position": ("risk_management", "max_single_position"),
    "max_leveraged_total": ("risk_management", "max_leveraged_total"),
    "max_leveraged_exposure": ("risk_management", "max_leveraged_exposure"),
    "trailing_stop": ("risk_management", "trailing_stop"),
    "tlh_min_loss_dollars": ("risk_management", "tlh_min_loss_dollars"),
    "tlh_min_loss_pct": ("risk_management", "tlh_min_loss_pct"),
    "cash_reserve": ("portfolio", "cash_reserve"),
    "buy_buffer_pct": ("execution", "buy_buffer_pct"),
    "short_term_tax_rate": ("tax_rates", "short_term"),
    "long_term_tax_rate": ("tax_rates", "long_term"),
}


def _policy_problems(settings: Settings) -> list[tuple[tuple[str | int, ...], str]]:
    """The rules relating several keys live in the engine's ``Policy``, once: build it and
    place each problem it finds at the config key it is about. A config without targets
    is not a policy yet (each command that needs one says so)."""
    if not settings.target_allocation:
        return []
    from trader.core.policy import PolicyError
    from trader.planning.inputs import build_policy

    try:
        build_policy(settings)
    except PolicyError as exc:
        return [(POLICY_KEYS.get(str(path[0]), path[:1]) + path[1:], m) for path, m in exc.problems]
    return []


def _scenario_problems(settings: Settings) -> list[tuple[tuple[str | int, ...], str]]:
    """An unknown ``sim.scenario``, named with the known ones. The sim's scenarios are
    imported only when the config names one other than the default."""
    name = settings.sim.scenario
    if name == "default":
        return []
    from trader.sim.scenarios import SCENARIOS

    if name in SCENARIOS:
        return []
    near = get_close_matches(name, list(SCENARIOS), n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return [
        (
            ("sim", "scenario"),
            f"unknown scenario {name!r}{hint}; known: {', '.join(sorted(SCENARIOS))}",
        )
    ]


def _one_per_line(doc: YamlDocument, problems: list[tuple[tuple[str | int, ...], str]]) -> str:
    """Every problem in file order, each on its own ``error:`` line as the CLI prints the
    first one."""
    located = sorted(
        (
            (doc.line_of(loc) or 0, f"{_locate(doc, loc)}: {_dotted(loc)}: {message}")
            for loc, message in problems
        ),
        key=lambda item: item[0],
    )
    return "\nerror: ".join(dict.fromkeys(text for _, text in located))
