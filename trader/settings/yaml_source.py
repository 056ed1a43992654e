"""YAML parsing that remembers where every key stands.

pyyaml's ``safe_load`` forgets line numbers and silently keeps the last of two
duplicate keys. We compose the node tree ourselves so every error can name the
key *and* its line, and a duplicate key is an error rather than a surprise.

The node tree is measured before anything is built from it: an alias that contains
itself, aliases that expand past ``MAX_VALUES`` values (a "billion laughs" bomb),
a number of more than ``MAX_NUMBER_LENGTH`` characters and a NUL character are each
refused with their line, before they can hang or crash the loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from trader.errors import ConfigError

# libyaml's parser when PyYAML was built with it: the pure-Python one takes most of the
# time a `trader plan` spends on reading its config.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A config holds a few hundred values; aliases may repeat a section, not explode it.
MAX_VALUES = 100_000
MAX_NUMBER_LENGTH = 100
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


class YamlDocument:
    """A parsed YAML file: its plain data and a way to find the line of any path in it."""

    def __init__(self, path: Path, root: yaml.Node | None, data: Any) -> None:
        self.path = path
        self.root = root
        self.data = data

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of the deepest node on ``loc`` that exists in the file."""
        return self._walk(loc)[1]

    def text_of(self, loc: Sequence[str | int]) -> str | None:
        """The text written for the scalar at exactly ``loc``, or None."""
        node, _, complete = self._walk(loc)
        return node.value if complete and isinstance(node, yaml.ScalarNode) else None

    def _walk(self, loc: Sequence[str | int]) -> tuple[yaml.Node | None, int | None, bool]:
        """(deepest node found on ``loc``, its line, whether all of ``loc`` was found)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next(
                    ((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None
                )
                if found is None:
                    break
                key_node, node = found
                line = key_node.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        else:
            return node, line, True
        return node, line, False


def _measure(root: yaml.Node, path: Path) -> None:
    """Refuse a tree whose aliases loop or expand past ``MAX_VALUES``, an over-long
    number and a NUL character; each node is looked at once, however often it is aliased."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def where(node: yaml.Node) -> str:
        return f"{path}:{node.start_mark.line + 1}"

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(f"{where(node)}: invalid YAML: an alias refers to itself")
        if isinstance(node, yaml.ScalarNode):
            text = str(node.value)
            if "\x00" in text:
                raise ConfigError(f"{where(node)}: invalid YAML: a value holds a NUL character")
            if node.tag in _NUMBER_TAGS and len(text) > MAX_NUMBER_LENGTH:
                raise ConfigError(
                    f"{where(node)}: invalid YAML: a number of {len(text)} characters "
                    f"(at most {MAX_NUMBER_LENGTH})"
                )
            total = 1
        else:
            open_nodes.add(key)
            children = (
                [part for pair in node.value for part in pair]
                if isinstance(node, yaml.MappingNode)
                else list(node.value)
            )
            total = 1 + sum(size(child) for child in children)
            open_nodes.discard(key)
        if total > MAX_VALUES:
            raise ConfigError(
                f"{where(node)}: invalid YAML: aliases expand to more than {MAX_VALUES:,} values"
            )
        sizes[key] = total
        return total

    size(root)


def _check_duplicates(node: yaml.Node, path: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(getattr(key, "value", ""))
            line = key.start_mark.line + 1
            if name in seen:
                raise ConfigError(
                    f"{path}:{line}: key '{name}' appears twice (first on line {seen[name]})"
                )
            seen[name] = line
            _check_duplicates(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(item, path)


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse ``path``; any problem is a ConfigError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text") from None
    except ValueError:  # "embedded null byte": no file has such a name
        raise ConfigError(f"{str(path)!r}: a config file's path has no NUL character") from None
    loader = _SAFE_LOADER(text)
    try:
        root = loader.get_single_node()  # parsed once: the nodes carry the line numbers
        if root is not None:
            _measure(root, path)
            _check_duplicates(root, path)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}:1: the config must be a mapping of keys, not {type(data).__name__}"
        )
    return YamlDocument(path, root, data)
