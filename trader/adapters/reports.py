"""JSON reports in ``paper_logs/``: one timestamped file per plan or execution.

Two reports of the same kind in the same second (a plan that staged nothing has no id
to tell them apart) get ``-2``, ``-3``... rather than one replacing the other.

A report is written to a temporary file in the same folder, flushed to the disk,
renamed into place, and the folder flushed too: a crash never leaves half a report
behind, and a report said written survives a power cut. ``find_report`` finds a
plan's report again (its name carries the plan id's first 8 characters).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

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
    text = json.dumps(payload, indent=2, sort_keys=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            _write_synced(stream, text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return target


def _write_synced(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()
    os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the renamed file to the disk."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def find_report(folder: Path, kind: str, plan_id: str) -> Path | None:
    """A ``kind`` report of the plan in ``folder``, if one was written there."""
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob(f"{kind}-*-{plan_id[:8]}*.json")):
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("plan_id") == plan_id:
                return path
        except (OSError, ValueError):
            continue
    return None
