"""Two ``trader plan`` at once on one account: one staged plan, and no duplicate key.

Each run is a store of its own (its own connections), as two processes would have;
a barrier starts them together, several times over, to meet the race.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

from tests.store.test_plans import staged
from trader.core.domain import AccountMode, Asset
from trader.store import open_store

ROUNDS = 8


def together(first, second) -> list[BaseException]:
    """Run both at once; the exceptions they raised."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(action) -> None:
        barrier.wait()
        try:
            action()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(action,)) for action in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_two_plans_staged_at_once_leave_one_staged(database_url, samples):
    one, two = open_store(database_url), open_store(database_url)
    try:
        key = one.ensure_account(AccountMode.SIM, samples.account())
        for n in range(ROUNDS):
            a, b = staged(f"{2 * n:032x}"), staged(f"{2 * n + 1:032x}")
            errors = together(
                lambda a=a: one.stage_plan(AccountMode.SIM, a, account_key=key),
                lambda b=b: two.stage_plan(AccountMode.SIM, b, account_key=key),
            )
            assert errors == []
            statuses = [p.status for p in one.plans(AccountMode.SIM, 100)]
            assert statuses.count("staged") == 1, (n, statuses)
    finally:
        one.close()
        two.close()


def test_asset_cache_writes_at_once_are_upserts(database_url):
    one, two = open_store(database_url), open_store(database_url)
    day = date(2026, 1, 5)
    try:
        for n in range(ROUNDS):
            symbols = [f"S{n}X{i}" for i in range(5)]
            found = {
                s: Asset(s, f"{s} fund", "ARCA", True, True, "active", f"id-{s}") for s in symbols
            }
            errors = together(
                lambda f=found: one.cache_assets(f, day),
                lambda f={**found, symbols[0]: None}: two.cache_assets(f, day),
            )
            assert errors == [], errors
            assert set(one.cached_assets(symbols, day)) == set(symbols)
            scores = {s: Decimal(k) for k, s in enumerate(symbols)}
            errors = together(
                lambda s=scores: one.save_scores(day, s), lambda s=scores: two.save_scores(day, s)
            )
            assert errors == [], errors
            assert one.scores(day) == scores
    finally:
        one.close()
        two.close()
