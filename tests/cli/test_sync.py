"""``trader sync`` end to end through the CLI, on a temporary database."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from trader.sim import SimServer

KEY_ID, SECRET = "PKTESTKEY", "very-secret-value-123"


def paper_env(server: SimServer) -> dict[str, str]:
    """The environment of a paper account at a sim of this test process."""
    return {
        "APCA_API_BASE_URL": server.url,
        "APCA_API_KEY_ID": KEY_ID,
        "APCA_API_SECRET_KEY": SECRET,
    }


def test_sync_on_the_embedded_sim_prints_the_holdings(trader_main, config_file):
    result = trader_main("--config", str(config_file()), "sync")
    assert result.code == 0, result.err
    out = result.out
    assert "Account: sim" in out
    for symbol in ("XLK", "XLV", "XLF", "XLE", "SPY", "TQQQ", "TLT"):
        assert symbol in out
    assert "Cash: $3,400.00" in out
    assert "Unrealized P&L" in out


def test_sync_json_and_incremental_fills(trader_main, config_file, tmp_path):
    config = str(config_file())
    first = trader_main("--config", config, "sync", "--json")
    assert first.code == 0, first.err
    payload = json.loads(first.out)
    assert payload["account"]["mode"] == "sim"
    assert payload["account"]["cash"] == "3400.00"
    assert "*" in payload["account"]["number"]
    positions = {p["symbol"]: p for p in payload["positions"]}
    assert len(positions) == 7
    weights = sum(Decimal(p["weight_pct"]) for p in positions.values())
    equity = Decimal(payload["account"]["equity"])
    # Each weight is rounded to 2 places: 7 of them are within 7 x 0.005 of the sum.
    assert abs(weights - (equity - Decimal(3400)) / equity * 100) <= Decimal("0.035")
    assert payload["new_fills"] > 0

    second = json.loads(trader_main("--config", config, "sync", "--json").out)
    assert second["new_fills"] == 0

    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    (snapshots,) = database.execute("select count(*) from sync_snapshot").fetchone()
    (fills,) = database.execute("select count(*) from fill").fetchone()
    assert snapshots == 2
    assert fills == payload["new_fills"]


def test_fills_of_the_same_instant_are_counted_once(trader_main, config_file, tmp_path, shared_sim):
    """The sim fills every order of a session at its one clock time, as a fast broker can:
    after the sync that records them, a sync finds nothing new and reads nothing twice."""
    from alpaca.trading.client import TradingClient
    from alpaca.trading.enums import OrderSide, TimeInForce
    from alpaca.trading.requests import MarketOrderRequest

    with shared_sim(key_id=KEY_ID, secret_key=SECRET) as server:
        env = paper_env(server)
        config = str(config_file(("account: sim", "account: paper")))
        assert trader_main("--config", config, "sync", env=env).code == 0
        client = TradingClient(KEY_ID, SECRET, paper=True, url_override=server.url)
        for symbol in ("XLU", "XLP", "QQQ", "VDE", "IEF", "XLI"):
            client.submit_order(
                MarketOrderRequest(
                    symbol=symbol, qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
                )
            )
        counts = [
            json.loads(trader_main("--config", config, "sync", "--json", env=env).out)["new_fills"]
            for _ in range(3)
        ]
    assert counts == [6, 0, 0]
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    (last,) = database.execute("select symbol from fill order by id desc limit 1").fetchone()
    assert last == "XLI"  # the broker's last fill is the newest row


def test_sync_against_any_alpaca_compatible_url(trader_main, config_file, shared_sim):
    with shared_sim(key_id=KEY_ID, secret_key=SECRET) as server:
        env = paper_env(server)
        config = str(config_file(("account: sim", "account: paper")))
        result = trader_main("--config", config, "sync", env=env)
        assert result.code == 0, result.err
        assert "Account: paper" in result.out
        assert any(r["path"] == "/v2/account" for r in server.controls.requests())


def test_secrets_never_reach_output_or_the_database(trader_main, config_file, tmp_path, shared_sim):
    secret = "s3cr3t-" + "x" * 24
    with shared_sim(key_id="PKSECRETTEST", secret_key=secret) as server:
        env = {
            "APCA_API_BASE_URL": server.url,
            "APCA_API_KEY_ID": "PKSECRETTEST",
            "APCA_API_SECRET_KEY": secret,
        }
        config = str(config_file(("account: sim", "account: paper")))
        results = [
            trader_main("--config", config, "sync", *extra, env=env) for extra in ((), ("--json",))
        ]
    for result in results:
        assert result.code == 0, result.err
        assert secret not in result.out + result.err
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_paper_without_keys_names_the_variables(trader_main, config_file):
    result = trader_main("--config", str(config_file(("account: sim", "account: paper"))), "sync")
    assert result.code == 2
    assert result.err.strip().count("\n") == 0
    assert "APCA_API_KEY_ID and APCA_API_SECRET_KEY" in result.err


def test_live_needs_the_config_opt_in_and_the_flag(trader_main, config_file):
    env = {
        "APCA_API_KEY_ID": "k",
        "APCA_API_SECRET_KEY": "s",
        "APCA_API_BASE_URL": "http://127.0.0.1:9",
    }
    without_config = trader_main(
        "--config", str(config_file(("account: sim", "account: live"))), "sync", "--live", env=env
    )
    assert without_config.code == 2 and "allow_live_trading: true" in without_config.err
    opted_in = config_file(
        ("account: sim", "account: live"), ("allow_live_trading: false", "allow_live_trading: true")
    )
    without_flag = trader_main("--config", str(opted_in), "sync", env=env)
    assert without_flag.code == 2 and "--live" in without_flag.err


def test_an_unreachable_broker_is_one_line_and_its_own_exit_code(trader_main, config_file):
    env = {
        "APCA_API_KEY_ID": "k",
        "APCA_API_SECRET_KEY": "s",
        "APCA_API_BASE_URL": "http://127.0.0.1:9",
    }
    config = config_file(("account: sim", "account: paper"), ("max_retries: 3", "max_retries: 0"))
    result = trader_main("--config", str(config), "sync", env=env)
    assert result.code == 3
    assert result.err.startswith("error: ") and "unreachable" in result.err
    assert "Traceback" not in result.err
    assert result.err.strip().count("\n") == 0


def test_wrong_keys_exit_with_the_authentication_code(trader_main, config_file, shared_sim):
    with shared_sim() as server:
        env = {
            "APCA_API_BASE_URL": server.url,
            "APCA_API_KEY_ID": "k",
            "APCA_API_SECRET_KEY": "wrong",
        }
        result = trader_main(
            "--config", str(config_file(("account: sim", "account: paper"))), "sync", env=env
        )
    assert result.code == 6
    assert "refused the API keys" in result.err
    assert "wrong" not in result.err


def test_a_malformed_broker_answer_writes_nothing(trader_main, config_file, tmp_path, shared_sim):
    with shared_sim() as server:
        env = {"APCA_API_BASE_URL": server.url, "APCA_API_KEY_ID": "k", "APCA_API_SECRET_KEY": "s"}
        # keys the sim does not know: use the sim's own keys but break the positions answer
        from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

        env.update(APCA_API_KEY_ID=SIM_KEY_ID, APCA_API_SECRET_KEY=SIM_SECRET_KEY)
        server.controls.corrupt_next("/v2/positions")
        result = trader_main(
            "--config", str(config_file(("account: sim", "account: paper"))), "sync", env=env
        )
    assert result.code == 7, result.err
    assert "unexpected answer" in result.err
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    for table in ("account", "sync_snapshot", "fill"):
        assert database.execute(f"select count(*) from {table}").fetchone() == (0,), table


def test_a_config_typo_is_one_line_with_the_line_number(trader_main, config_file):
    result = trader_main(
        "--config", str(config_file(("drift_threshold: 5", "drift_treshold: 5"))), "sync"
    )
    assert result.code == 2
    assert "rebalancing.drift_treshold: unknown key" in result.err
    assert "portfolio_allocation.yaml:50:" in result.err or "config.yaml:50:" in result.err


@pytest.mark.parametrize(
    ("symbol", "price", "message"),
    [
        ("NOPE", "10", "unknown symbol 'NOPE'"),
        ("XLK", "190.123", "more decimals than a quote"),
        ("XLK", "cheap", "price"),
        ("XLK", "0", "price must be positive"),
    ],
)
def test_a_bad_sim_price_is_a_clear_error(trader_main, symbol, price, message):
    result = trader_main("sim", "price", symbol, price)
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err


def table_weights(out: str) -> dict[str, Decimal]:
    """Each row of the holdings table: its first cell and its weight."""
    found = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│") if c.strip()]
        weights = [c for c in cells if c.endswith("%") and c[:-1].replace(".", "").isdigit()]
        if cells and weights:
            found[cells[0]] = Decimal(weights[0][:-1])
    return found


@pytest.mark.parametrize("scenario", ["default", "mixed"])
def test_the_holdings_table_has_a_cash_row_and_its_weights_sum_to_100(
    trader_main, config_file, scenario
):
    assert trader_main("sim", "reset", "--scenario", scenario).code == 0
    result = trader_main("--config", str(config_file()), "sync", env={"COLUMNS": "160"})
    assert result.code == 0, result.err
    weights = table_weights(result.out)
    assert "cash" in weights, result.out
    assert abs(sum(weights.values()) - 100) <= Decimal("0.005") * len(weights), weights
    payload = json.loads(trader_main("--config", str(config_file()), "sync", "--json").out)
    equity = Decimal(payload["account"]["equity"])
    cash_weight = Decimal(payload["account"]["cash_weight_pct"])
    assert abs(cash_weight - Decimal(payload["account"]["cash"]) / equity * 100) < Decimal("0.01")
