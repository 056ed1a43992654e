"""Execution reports: written once the orders went out, and never fatal then.

When a run has sent orders the store holds the truth of it; the JSON report in
``reports_dir`` is a copy for people. So a report that cannot be written (a full disk,
a folder gone) is a warning, not an error: the run's exit code stays the one its
orders earned. A report missing for an executed plan — its folder was full, or the
process was killed between marking the plan executed and writing the report — is
written from the store by the next run that holds the account's execution lock
(``trader execute``, ``trader run`` sending, ``trader bot`` approving).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trader.adapters.reports import find_report, write_report
from trader.core.domain import AccountMode
from trader.core.statuses import PlanStatus
from trader.errors import ConfigError
from trader.execution.report import execution_payload
from trader.store import Store

# How many of the newest plans are looked at for a missing report.
RECENT_PLANS = 5
LATE_NOTE = (
    "written by a later run: the run that executed the plan could not write its report "
    "(the store kept the execution)"
)


@dataclass
class ReportOutcome:
    """What became of the reports a run wrote: their paths, and a warning for each failure."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def save_report(folder: Path, payload: dict[str, Any], when: datetime) -> tuple[Path | None, str]:
    """Write an execution report; on failure no exception, but None and a warning line."""
    try:
        return write_report(folder, "execution", when, payload), ""
    except (OSError, ConfigError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, (
            f"the execution report of plan {payload['plan_id']} could not be written to "
            f"{folder}: {reason}; the store holds the execution, and the next "
            f"`trader execute` writes the report"
        )


def write_missing_reports(
    store: Store, mode: AccountMode, folder: Path, command: str
) -> ReportOutcome:
    """Write the report of each recent executed plan that has none in ``folder``."""
    found = ReportOutcome()
    for plan in store.plans(mode, RECENT_PLANS):
        if plan.status != PlanStatus.EXECUTED or find_report(folder, "execution", plan.uid):
            continue
        times = [o.updated_at for o in plan.orders if o.updated_at is not None]
        when = max(times, default=datetime.now(UTC))
        payload = execution_payload(plan, executed_at=when, account=mode.value, notes=[LATE_NOTE])
        path, warning = save_report(folder, payload, when)
        if path is None:
            found.warnings.append(warning)
            continue
        found.written.append(path)
        store.log_event(command, "report", "written_late", {"plan_id": plan.uid, "report": path})
    return found
