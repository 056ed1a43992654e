"""Error translation and retries, driven by the sim's fault injection over real HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from trader.core.domain import OrderRequest, Side
from trader.errors import (
    AuthenticationError,
    BrokerUnreachable,
    MalformedResponse,
    TemporaryBrokerError,
)

from .conftest import make_broker


def requests_to(sim, path: str, method: str = "GET") -> int:
    return sum(1 for r in sim.controls.requests() if r["path"] == path and r["method"] == method)


def test_wrong_keys_are_an_authentication_error(sim):
    broker = make_broker(sim.url, secret_key="wrong")
    with pytest.raises(AuthenticationError, match="refused the API keys"):
        broker.account()


def test_reads_are_retried_through_a_few_server_errors(sim, broker):
    sim.controls.clear_requests()
    sim.controls.fail_next(2, status=500)
    assert broker.account().cash == Decimal("3400.00")
    assert requests_to(sim, "/v2/account") == 3


def test_reads_give_up_after_the_configured_retries(sim):
    broker = make_broker(sim.url, max_retries=2)
    sim.controls.clear_requests()
    sim.controls.fail_next(10, status=503)
    with pytest.raises(TemporaryBrokerError, match="503"):
        broker.account()
    assert requests_to(sim, "/v2/account") == 3


def test_a_burst_of_rate_limits_is_absorbed(sim, broker):
    sim.controls.clear_requests()
    sim.controls.rate_limit(2)
    assert len(broker.positions()) == 7
    assert requests_to(sim, "/v2/positions") == 3


def test_a_client_error_is_not_retried(sim, broker):
    from trader.errors import NotFound

    sim.controls.clear_requests()
    with pytest.raises(NotFound):
        broker.asset("NOPE")
    assert requests_to(sim, "/v2/assets/NOPE") == 1


def test_latency_beyond_the_timeout_is_a_temporary_error(sim):
    broker = make_broker(sim.url, timeout_seconds=0.2, max_retries=0)
    sim.controls.latency(1.0, count=1)
    with pytest.raises(TemporaryBrokerError, match="did not answer in time"):
        broker.clock()


def test_an_order_submission_is_never_retried_blindly(sim, broker):
    sim.controls.clear_requests()
    sim.controls.fail_next(1, status=500)
    with pytest.raises(TemporaryBrokerError):
        broker.submit(OrderRequest("XLF", Side.BUY, "once-only", qty=Decimal(1)))
    assert requests_to(sim, "/v2/orders", "POST") == 1


def test_a_dropped_answer_after_acceptance_is_resolved_by_lookup(sim, broker):
    sim.controls.drop_after_accept(1)
    with pytest.raises(TemporaryBrokerError, match="connection dropped"):
        broker.submit(OrderRequest("XLF", Side.BUY, "dropped-1", qty=Decimal(1)))
    found = broker.order_by_client_id("dropped-1")
    assert found is not None, "the broker acted although the client never heard"
    assert found.symbol == "XLF"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_is_unreachable():
    broker = make_broker(f"http://127.0.0.1:{free_port()}", max_retries=1)
    with pytest.raises(BrokerUnreachable, match="unreachable"):
        broker.account()


class _Malformed(BaseHTTPRequestHandler):
    """An Alpaca-compatible URL that answers with a broken account body."""

    def do_GET(self):  # noqa: N802
        body = json.dumps({"id": "not-a-uuid", "cash": "12"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def malformed_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Malformed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_malformed_answer_is_a_clear_error(malformed_url):
    broker = make_broker(malformed_url)
    with pytest.raises(MalformedResponse, match="unexpected answer"):
        broker.account()


def test_a_rate_limit_waits_for_the_windows_reset(sim, broker):
    # The back-off alone would wait 0.01 s; the 429 says the window resets 2 s on (whole
    # seconds, as Alpaca sends them), and the retry waits for it.
    sim.controls.clear_requests()
    sim.controls.rate_limit(1, reset_in=2)
    started = time.time()
    assert len(broker.positions()) == 7
    waited = time.time() - started
    reset = int(started + 2)
    assert waited >= reset - started - 0.05
    assert waited < 4
    assert requests_to(sim, "/v2/positions") == 2


def test_a_rate_limit_wait_is_bounded(sim, monkeypatch):
    monkeypatch.setattr("trader.broker.alpaca.MAX_RATE_LIMIT_WAIT", 0.2)
    broker = make_broker(sim.url, max_retries=1)
    sim.controls.rate_limit(2, reset_in=3600)
    started = time.time()
    with pytest.raises(TemporaryBrokerError, match="429"):
        broker.positions()
    assert time.time() - started < 1.5
