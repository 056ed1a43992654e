"""From the config and the account to the engine's inputs."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from trader.core.domain import AccountInfo, AccountSnapshot, Asset, Order, Position, Side
from trader.planning.inputs import manual_portfolio, market_portfolio, policy_from_settings
from trader.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "engine"))
from conftest import BRIEF_POLICY  # noqa: E402

D = Decimal
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_the_shipped_config_is_the_brief_policy_with_its_tax_rules():
    policy = policy_from_settings(load_settings(REPO / "config" / "portfolio_allocation.yaml"))
    assert policy == replace(
        BRIEF_POLICY,
        relative_threshold=None,
        tax_loss_harvesting=True,
        tlh_min_loss_dollars=D(100),
        tlh_min_loss_pct=D(5),
        short_term_tax_rate=D(24),
        long_term_tax_rate=D(15),
        trailing_stop=D(10),
        buy_buffer_pct=D("2.5"),
        cash_flow="prefer",
    )


def account(cash: str = "1000") -> AccountInfo:
    return AccountInfo(
        account_id="acc",
        account_number="PA0000001",
        status="ACTIVE",
        currency="USD",
        cash=D(cash),
        equity=D(cash),
        buying_power=D(cash),
        long_market_value=D(0),
    )


def position(symbol: str, qty: str, price: str) -> Position:
    value = D(qty) * D(price)
    return Position(symbol, D(qty), D(price), D(price), value, value, D(0))


def asset(symbol: str, *, fractionable: bool = True, tradable: bool = True) -> Asset:
    return Asset(symbol, symbol, "ARCA", tradable, fractionable)


def test_the_market_portfolio_prices_what_it_may_buy_and_says_what_it_cannot():
    snapshot = AccountSnapshot(
        account=account(),
        positions=(
            position("XLK", "10", "185"),
            position("TQQQ", "3", "65.5"),
            position("SQQQ", "-2", "20"),
        ),
        open_orders=(
            Order(
                "o1",
                "c1",
                "XLV",
                Side.BUY,
                "limit",
                "day",
                "new",
                D(1),
                None,
                D(0),
                None,
                D(100),
                None,
                None,
                NOW,
            ),
        ),
        taken_at=NOW,
    )
    assets = {
        "XLK": asset("XLK"),
        "TQQQ": asset("TQQQ", fractionable=False),
        "XLV": asset("XLV"),
        "TLT": asset("TLT", tradable=False),
        "QQQ": asset("QQQ"),
    }
    prices = {"XLV": D("145"), "QQQ": D("410")}
    portfolio, warnings = market_portfolio(BRIEF_POLICY, snapshot, assets, prices)
    held = {h.symbol: h for h in portfolio.holdings}
    assert held["XLK"].qty == 10 and held["XLK"].fractionable
    assert not held["TQQQ"].fractionable
    assert held["XLV"].qty == 0 and held["XLV"].price == 145
    assert "SQQQ" not in held and "TLT" not in held and "VGT" not in held
    text = "\n".join(warnings)
    assert "SQQQ: a short position of 2 shares" in text
    assert "TLT: not tradable at the broker (categories.bonds" in text
    assert "unknown symbol VGT (categories.technology): the broker does not know it" in text
    assert portfolio.unavailable["VGT"] == "unknown symbol VGT"
    assert portfolio.unavailable["TLT"] == "TLT is not tradable at the broker (active)"
    assert "XLV" not in portfolio.unavailable and "QQQ" not in portfolio.unavailable
    assert "open order" not in text  # a limit order is counted as working (planning.working)
    assert portfolio.cash == 1000


def test_the_manual_portfolio_comes_from_the_config(tmp_path):
    path = tmp_path / "manual.yaml"
    path.write_text(
        "account: manual\n"
        "target_allocation: {technology: 100}\n"
        "categories: {technology: [XLK]}\n"
        "risk_management: {max_single_position: 100}\n"
        "portfolio: {cash: 250.5}\n"
        "current_holdings: {XLK: {shares: 2.5, avg_cost: 150, current_price: 185.25}}\n"
    )
    portfolio = manual_portfolio(load_settings(path))
    assert portfolio.cash == D("250.5")
    (holding,) = portfolio.holdings
    assert (holding.symbol, holding.qty, holding.price, holding.avg_cost) == (
        "XLK",
        D("2.5"),
        D("185.25"),
        D(150),
    )
