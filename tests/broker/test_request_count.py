"""A steady-state plan costs the same number of broker requests at 5 and at 500 positions:
asset attributes come from the store's cache for the trading day, prices in one batch,
fills from where the last sync stopped."""

from __future__ import annotations

from benchmarks.request_count import count_requests


def test_the_steady_state_request_count_does_not_grow_with_the_account():
    small = count_requests(5, plans=2)
    large = count_requests(500, plans=2)
    assert small[1] == large[1]
    assert sum(large[1].values()) <= 9  # see the README: 9 with the free data plan
    assert not any(path.startswith("/v2/assets") for _, path in large[1])
    # The day's first plan reads 500 assets in one list request, not one each.
    assert large[0][("GET", "/v2/assets")] == 1
    assert sum(n for (_, path), n in large[0].items() if path.startswith("/v2/assets/")) == 0
