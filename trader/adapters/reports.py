"""JSON reports in ``paper_logs/``: one timestamped file per plan or execution.

Two reports of the same kind in the same second (a plan that staged nothing has no id
to tell them apart) get ``-2``, ``-3``... rather than one replacing the other.

A report is written to a temporary file in the same folder and renamed into
place, so a crash never leaves half a report behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from trader.errors import ConfigError


def write_report(folder: Path, kind: str, created_at: datetime, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as ``<folder>/<kind>-<UTC timestamp>-<id>.json`` (a new name,
    never an existing report's) and return its path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"reports_dir {folder}: cannot create it: {exc.strerror}") from None
    stamp = created_at.strftime("%Y%m%dT%H%M%SZ")
    suffix = str(payload.get("plan_id") or payload.get("id") or "")[:8]
    stem = f"{kind}-{stamp}{'-' + suffix if suffix else ''}"
    name = f"{stem}.json"
    target = folder / name
    count = 1
    while target.exists():  # two reports of the same second: neither overwrites the other
        count += 1
        target = folder / f"{stem}-{count}.json"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, indent=2, sort_keys=False)
            stream.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
