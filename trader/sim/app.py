"""The sim's core object: the state behind one lock, its faults, and where it is saved.

Handlers and test controls reach the account only through ``SimApp.reading()`` and
``SimApp.changing()``. Both hold the one state lock for the whole request, so
requests never see each other half done; ``changing()`` also saves the state file
(if there is one) before the lock is released, so a crash can lose at most the
request in flight and a second process always reads a finished state.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trader.sim import engine, persistence, scenarios
from trader.sim.faults import REQUESTS_PER_MINUTE, Faults
from trader.sim.state import SimState


class SimApp:
    def __init__(
        self,
        state_path: Path | None,
        scenario: str,
        key_id: str,
        secret_key: str,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
    ) -> None:
        if scenario not in scenarios.SCENARIOS:
            raise ValueError(
                f"unknown scenario {scenario!r}; known: {', '.join(sorted(scenarios.SCENARIOS))}"
            )
        self.key_id = key_id
        self.secret_key = secret_key
        self.state_path = Path(state_path) if state_path is not None else None
        self.faults = Faults(requests_per_minute)
        self._lock = threading.RLock()
        if self.state_path is not None and self.state_path.exists():
            self.state = persistence.load(self.state_path)
        else:
            self.state = scenarios.build(scenario)
            self._save()

    def _save(self) -> None:
        if self.state_path is not None:
            persistence.save(self.state, self.state_path)

    @contextmanager
    def reading(self) -> Iterator[SimState]:
        with self._lock:
            yield self.state

    @contextmanager
    def changing(self) -> Iterator[SimState]:
        """Change the state; saved afterwards even when the change ends in a refusal."""
        with self._lock:
            try:
                yield self.state
            finally:
                self._save()

    def reset(self, scenario: str) -> None:
        fresh = scenarios.build(scenario)
        with self._lock:
            self.state = fresh
            self._save()

    def process(self, state: SimState) -> None:
        """Let open orders trade at the current prices (call while changing)."""
        engine.process(state, self.faults.ratios())
