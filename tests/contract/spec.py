"""Alpaca's published OpenAPI documents, loaded once, with their examples and schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "alpaca-openapi"
TRADING = HERE / "trading-api.json"
MARKET_DATA = HERE / "market-data-api.json"


@cache
def document(path: Path = TRADING) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def schema_example(name: str, example: str = "example-1") -> Any:
    """An ``x-examples`` entry of a schema in the Trading API's components."""
    return document()["components"]["schemas"][name]["x-examples"][example]


def named_example(name: str) -> Any:
    """A ``components/examples`` entry's value (the order responses)."""
    return document()["components"]["examples"][name]["value"]
