"""Keys, injected faults, the rate limit and the request log, seen by alpaca-py over HTTP."""

from __future__ import annotations

import time

import pytest
import requests
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

from .conftest import make_clients

AUTH = {"APCA-API-KEY-ID": SIM_KEY_ID, "APCA-API-SECRET-KEY": SIM_SECRET_KEY}


def test_wrong_keys_get_alpacas_401(sim):
    clients = make_clients(sim.server, secret="wrong")
    with pytest.raises(APIError) as caught:
        clients.trading.get_account()
    assert caught.value.status_code == 401
    assert caught.value.code == 40110000
    assert caught.value.message == "access key verification failed : verification failure"
    with pytest.raises(APIError) as data_caught:
        clients.data.get("/stocks/trades/latest", {"symbols": "XLK"})
    assert data_caught.value.status_code == 401


def test_missing_keys_are_not_authorized(sim):
    for path in ("/v2/account", "/v2/stocks/bars?symbols=XLK&timeframe=1Day", "/sim/clock"):
        answer = requests.get(sim.server.url + path, timeout=5)
        assert answer.status_code == 401
        assert answer.json() == {"code": 40110000, "message": "request is not authorized"}


def test_fail_next_answers_errors_then_recovers(sim):
    sim.controls.fail_next(2, status=500)
    for _ in range(2):
        with pytest.raises(APIError) as caught:
            sim.trading.get_clock()
        assert caught.value.status_code == 500 and caught.value.message == "internal server error"
    assert sim.trading.get_clock().is_open


def test_a_rate_limit_burst_is_429_with_the_headers(sim):
    sim.controls.rate_limit(2)
    for _ in range(2):
        answer = requests.get(sim.server.url + "/v2/account", headers=AUTH, timeout=5)
        assert answer.status_code == 429
        assert answer.json()["message"] == "rate limit exceeded"
        assert answer.headers["X-Ratelimit-Limit"] == "200"
        assert answer.headers["X-Ratelimit-Remaining"] == "0"
        assert int(answer.headers["X-Ratelimit-Reset"]) >= int(time.time())
    fine = requests.get(sim.server.url + "/v2/account", headers=AUTH, timeout=5)
    assert fine.status_code == 200 and int(fine.headers["X-Ratelimit-Remaining"]) == 197
    with pytest.raises(APIError) as caught:  # alpaca-py with its retries switched off
        sim.controls.rate_limit(1)
        sim.trading.get_account()
    assert caught.value.status_code == 429


def test_the_real_limit_is_per_key_and_per_minute():
    from trader.sim import SimServer

    with SimServer(requests_per_minute=5) as server:
        statuses = [
            requests.get(server.url + "/v2/clock", headers=AUTH, timeout=5).status_code
            for _ in range(7)
        ]
    assert statuses == [200] * 5 + [429] * 2


def test_latency_beyond_the_client_timeout_times_out(sim):
    sim.controls.latency(0.5, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(sim.server.url + "/v2/clock", headers=AUTH, timeout=0.1)
    started = time.perf_counter()
    assert requests.get(sim.server.url + "/v2/clock", headers=AUTH, timeout=2).status_code == 200
    assert time.perf_counter() - started < 0.3  # only the next request was slowed


def test_a_dropped_answer_after_acceptance_still_leaves_the_order(sim):
    sim.controls.drop_after_accept(1)
    request = MarketOrderRequest(
        symbol="XLF",
        qty=1,
        side=OrderSide.BUY,
        time_in_force=TimeInForce.DAY,
        client_order_id="lost-1",
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        sim.trading.submit_order(request)
    found = sim.trading.get_order_by_client_id("lost-1")
    assert found.status.value == "filled" and found.symbol == "XLF"
    assert [r["dropped"] for r in sim.controls.requests() if r["method"] == "POST"] == [True]
    second = sim.trading.submit_order(
        MarketOrderRequest(symbol="XLF", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    assert second.status.value == "accepted"  # the fault was for one submission only


def test_a_corrupted_answer_is_not_json(sim):
    sim.controls.corrupt_next("/v2/positions")
    with pytest.raises(ValueError):
        sim.trading.get_all_positions()
    assert len(sim.trading.get_all_positions()) == 7


def test_clear_faults_switches_everything_off(sim):
    sim.controls.fail_next(5)
    sim.controls.rate_limit(5)
    sim.controls.clear_faults()
    assert sim.trading.get_clock().is_open


def test_the_request_log_records_method_path_status_and_sim_time(sim):
    sim.controls.clear_requests()
    sim.trading.get_account()
    with pytest.raises(APIError):
        sim.trading.get_asset("NOPE")
    log = sim.controls.requests()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/v2/account", 200),
        ("GET", "/v2/assets/NOPE", 404),
    ]
    assert log[0]["sim_time"] == "2026-11-24T11:00:00-05:00"
    sim.controls.clear_requests()
    assert sim.controls.requests() == []


class Http:
    """The /sim control endpoints, driven the way a separate process would."""

    def __init__(self, url):
        self.url = url

    def __call__(self, method, path, body=None):
        answer = requests.request(method, self.url + path, json=body, headers=AUTH, timeout=5)
        return answer.status_code, (answer.json() if answer.content else None)


def test_http_controls_move_prices_and_the_clock(sim):
    http = Http(sim.server.url)
    assert http("POST", "/sim/prices", {"XLK": "190.00"})[0] == 200
    assert sim.trading.get_open_position("XLK").current_price == "190"
    assert http("GET", "/sim/clock") == (200, {"now": "2026-11-24T11:00:00-05:00"})
    assert http("POST", "/sim/clock/close")[1] == {"now": "2026-11-24T16:00:00-05:00"}
    assert http("POST", "/sim/clock/open")[1] == {"now": "2026-11-25T09:30:00-05:00"}
    assert http("POST", "/sim/clock/advance", {"minutes": 30, "days": 1})[1] == {
        "now": "2026-11-26T10:00:00-05:00"
    }
    assert http("POST", "/sim/prices", {"NOPE": "1"})[0] == 422
    assert http("POST", "/sim/clock/advance", {"minutes": -5})[0] == 422


def test_http_controls_set_and_clear_faults_and_reset(sim):
    http = Http(sim.server.url)
    assert http("POST", "/sim/faults", {"fail_next": 1, "status": 503})[0] == 200
    with pytest.raises(APIError) as caught:
        sim.trading.get_account()
    assert caught.value.status_code == 503
    http("POST", "/sim/faults", {"fill_ratio": {"XLV": "0.5"}})
    order = sim.trading.submit_order(
        MarketOrderRequest(symbol="XLV", qty=4, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    assert sim.trading.get_order_by_id(order.id).filled_qty == "2"
    http("POST", "/sim/faults", {"latency_seconds": 0.01, "count": 1, "rate_limit": 1})
    assert http("DELETE", "/sim/faults") == (204, None)
    assert sim.trading.get_clock().is_open
    assert http("POST", "/sim/reset", {"scenario": "empty"})[0] == 200
    assert sim.trading.get_account().cash == "100000"
    assert http("POST", "/sim/reset", {"scenario": "nope"})[0] == 422
    assert http("GET", "/sim/requests")[1][-1]["path"] == "/sim/reset"
    assert http("DELETE", "/sim/requests") == (204, None)


def test_sub_penny_prices_are_refused_by_the_controls(sim):
    with pytest.raises(ValueError, match="more decimals"):
        sim.controls.set_prices({"XLK": "190.255"})
    sim.controls.set_prices({"SQQQ": "0.1234"})  # under a dollar, four decimals are fine


def test_concurrent_orders_are_booked_one_at_a_time(empty_sim):
    from concurrent.futures import ThreadPoolExecutor

    def buy(number):
        clients = make_clients(empty_sim.server)
        return clients.trading.submit_order(
            MarketOrderRequest(
                symbol="XLK",
                qty=1,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.DAY,
                client_order_id=f"parallel-{number}",
            )
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        orders = list(pool.map(buy, range(24)))
    assert len({o.id for o in orders}) == 24
    assert empty_sim.trading.get_open_position("XLK").qty == "24"
    assert empty_sim.trading.get_account().cash == str(100000 - 24 * 185)


def test_serve_forever_in_the_foreground_stops_from_another_thread():
    import threading

    from trader.sim import SimServer

    server = SimServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = time.time() + 5
    while server._httpd is None and time.time() < deadline:
        time.sleep(0.01)
    assert requests.get(server.url + "/v2/clock", headers=AUTH, timeout=5).status_code == 200
    server.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
