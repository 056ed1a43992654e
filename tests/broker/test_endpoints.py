"""Where a paper or live account's requests go: resolved once, checked against the mode.

Alpaca's own setup docs have users export the *trading* host in ``APCA_API_BASE_URL``;
market data is served only from ``data.alpaca.markets``. A URL override makes alpaca-py
ignore ``paper=True``, so the live host under a paper account would trade real money:
it is refused before any request.
"""

from __future__ import annotations

import pytest
import requests

from trader.broker.connect import (
    DATA_HOST,
    LIVE_HOST,
    PAPER_HOST,
    resolve_endpoints,
)
from trader.core.domain import AccountMode
from trader.errors import ConfigError

from .conftest import make_broker


@pytest.fixture
def no_requests(monkeypatch):
    """Any HTTP request fails the test: the checks under test come before the network."""
    sent: list[str] = []

    def refuse(self, request, **kwargs):
        sent.append(request.url)
        raise AssertionError(f"a request was sent: {request.url}")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)
    return sent


def test_paper_defaults_to_alpacas_paper_and_data_hosts():
    endpoints = resolve_endpoints(AccountMode.PAPER)
    assert (endpoints.trading_url, endpoints.data_url) == (PAPER_HOST, DATA_HOST)


def test_the_paper_host_from_alpacas_setup_docs_gets_the_data_host(monkeypatch):
    monkeypatch.setenv("APCA_API_BASE_URL", "https://paper-api.alpaca.markets/v2/")
    endpoints = resolve_endpoints(AccountMode.PAPER)
    assert endpoints.trading_url == "https://paper-api.alpaca.markets"
    assert endpoints.data_url == "https://data.alpaca.markets"
    assert endpoints.data_source == "default for Alpaca hosts"


def test_a_compatible_server_serves_both_and_an_explicit_data_url_wins(monkeypatch):
    monkeypatch.setenv("APCA_API_BASE_URL", "http://127.0.0.1:18777")
    assert resolve_endpoints(AccountMode.PAPER).data_url == "http://127.0.0.1:18777"
    monkeypatch.setenv("APCA_API_DATA_URL", "http://127.0.0.1:18778")
    endpoints = resolve_endpoints(AccountMode.PAPER)
    assert (endpoints.data_url, endpoints.data_source) == (
        "http://127.0.0.1:18778",
        "APCA_API_DATA_URL",
    )


def test_live_defaults_to_the_live_host():
    assert resolve_endpoints(AccountMode.LIVE).trading_url == LIVE_HOST


@pytest.mark.parametrize("url", [LIVE_HOST, "https://API.alpaca.markets/v2"])
def test_paper_refuses_the_live_host_before_any_request(
    trader_main, config_file, monkeypatch, no_requests, url
):
    env = {"APCA_API_BASE_URL": url, "APCA_API_KEY_ID": "AK", "APCA_API_SECRET_KEY": "s"}
    config = str(config_file(("account: sim", "account: paper")))
    for command in (("sync",), ("plan",), ("execute", "--confirm")):
        result = trader_main("--config", config, *command, env=env)
        assert result.code == 2, (command, result.err)
        assert "APCA_API_BASE_URL" in result.err and "live host" in result.err
        assert result.err.strip().count("\n") == 0
    assert no_requests == []


def test_live_refuses_any_other_host(trader_main, config_file, no_requests):
    env = {
        "APCA_API_BASE_URL": PAPER_HOST,
        "APCA_API_KEY_ID": "AK",
        "APCA_API_SECRET_KEY": "s",
    }
    opted_in = config_file(
        ("account: sim", "account: live"), ("allow_live_trading: false", "allow_live_trading: true")
    )
    result = trader_main("--config", str(opted_in), "sync", "--live", env=env)
    assert result.code == 2 and "APCA_API_BASE_URL" in result.err
    assert "not Alpaca's live host" in result.err
    assert no_requests == []


def test_a_paper_connection_refuses_an_account_that_is_not_a_paper_one(sim, monkeypatch):
    monkeypatch.setattr("trader.sim.serialize.ACCOUNT_NUMBER", "312345678")
    with pytest.raises(ConfigError, match="not a paper account"):
        make_broker(sim.url).account()
    assert make_broker(sim.url, paper=False).account().account_number == "312345678"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("APCA_API_BASE_URL", "127.0.0.1:8765"),
        ("APCA_API_BASE_URL", "ftp://paper-api.alpaca.markets"),
        ("APCA_API_BASE_URL", "localhost:8765"),
        ("APCA_API_BASE_URL", "https://"),
        ("APCA_API_BASE_URL", "http://bad host:80"),
        ("APCA_API_DATA_URL", "data.alpaca.markets"),
    ],
)
def test_a_url_that_is_not_http_or_https_to_a_host_is_a_config_error(
    monkeypatch, no_requests, variable, value
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable}=") as caught:
        resolve_endpoints(AccountMode.PAPER)
    assert caught.value.exit_code == 2
    assert "http" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.alpaca.markets.",
        "https://API.Alpaca.Markets",
        "https://api.alpaca.markets.:443",
    ],
)
def test_the_live_host_is_refused_under_paper_however_it_is_spelled(monkeypatch, url):
    monkeypatch.setenv("APCA_API_BASE_URL", url)
    with pytest.raises(ConfigError, match="live host"):
        resolve_endpoints(AccountMode.PAPER)


def test_the_live_host_with_a_trailing_dot_is_the_live_host(monkeypatch):
    monkeypatch.setenv("APCA_API_BASE_URL", "https://api.alpaca.markets.")
    assert resolve_endpoints(AccountMode.LIVE).data_url == DATA_HOST


def test_doctor_fails_the_endpoint_check_on_a_url_without_a_scheme(trader_main, config_file):
    config = config_file(("account: sim", "account: paper"))
    env = {
        "APCA_API_BASE_URL": "127.0.0.1:8765",
        "APCA_API_KEY_ID": "k",
        "APCA_API_SECRET_KEY": "s",
    }
    result = trader_main("--config", str(config), "doctor", env=env)
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    assert "APCA_API_BASE_URL=127.0.0.1:8765" in " ".join(result.out.split())
