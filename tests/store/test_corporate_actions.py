"""Corporate actions in the store: stored once, and what a new split or dividend invalidates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from trader.core.domain import CorporateAction

D = Decimal
DAY = date(2026, 3, 2)


def action(
    ident: str, qty: str | None, *, kind: str = "SPLIT", symbol: str = "XLK", group: str = "g"
):
    return CorporateAction(
        activity_id=ident,
        kind=kind,
        sub_type="FSPLIT" if kind == "SPLIT" else "CDIV",
        symbol=symbol,
        day=DAY,
        qty=None if qty is None else D(qty),
        price=D("100.5") if kind == "SPLIT" else None,
        net_amount=D("1.25") if kind == "DIV" else D(0),
        group_id=group,
        description="",
        raw_json=json.dumps({"id": ident, "activity_type": kind}),
    )


def sync(store, samples, account_key, minutes: int, *actions: CorporateAction) -> None:
    snapshot = replace(samples.snapshot(minutes=minutes), corporate_actions=tuple(actions))
    store.record_sync(account_key, snapshot)


def test_actions_are_stored_once_and_read_back_whole(store, samples, account_key):
    legs = (action("a-1", "-10"), action("a-2", "20"))
    sync(store, samples, account_key, 1, *legs)
    sync(store, samples, account_key, 2, legs[1])  # seen again by an overlapping sync
    assert store.corporate_actions(account_key) == list(legs)
    assert store.last_corporate_action_id(account_key) == "a-2"


def test_a_new_split_rescales_the_peak_once_and_drops_the_cached_closes(
    store, samples, account_key
):
    for symbol in ("XLK", "TLT", "XLE"):
        store.save_daily_closes(symbol, DAY, DAY, {DAY: D("100")})
    store.save_peaks(account_key, {"XLK": (DAY, DAY, D("150")), "TLT": (DAY, DAY, D("90"))})
    # The two legs arrive in two syncs (a page boundary between them): one rescale.
    sync(store, samples, account_key, 1, action("a-1", "-10"))
    assert store.peaks(account_key)["XLK"][2] == D(150)
    sync(store, samples, account_key, 2, action("a-1", "-10"), action("a-2", "20"))
    sync(store, samples, account_key, 3, action("a-2", "20"))
    peaks = store.peaks(account_key)
    assert (peaks["XLK"][2], peaks["TLT"][2]) == (D(75), D(90))
    assert set(store.close_spans(["XLK", "TLT", "XLE"])) == {"TLT", "XLE"}
    assert store.daily_closes(["XLK"], DAY, DAY) == {"XLK": {}}
    # A dividend drops the closes too (the data API adjusts for it), not the peak.
    sync(store, samples, account_key, 4, action("d-1", "5", kind="DIV", symbol="TLT", group=""))
    assert set(store.close_spans(["XLK", "TLT", "XLE"])) == {"XLE"}
    assert store.peaks(account_key)["TLT"][2] == D(90)
