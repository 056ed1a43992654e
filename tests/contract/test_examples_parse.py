"""Every example in Alpaca's published Trading API document, for the endpoints ``trader``
reads, goes through the adapter's parser: stock records become domain values, and what
``trader`` does not trade (crypto, options, multi-leg and IPO orders, short sales)
becomes a foreign record that keeps the broker's JSON, instead of stopping the run."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from trader.broker import convert
from trader.core.domain import Fill, ForeignRecord, Order, Position, Side

from .spec import document, named_example, schema_example

ORDER_EXAMPLES = {
    "EquityOrderResponse": None,
    "CryptoOrderResponse": "crypto",
    "IPOOrderResponse": "ipo",
    "OptionOrderResponse": "us_option",
    "MultilegOptionsOrderResponse": "mleg",
}


def test_the_examples_of_the_order_endpoints_are_the_ones_covered_here():
    referenced = set()
    for path in ("/v2/orders", "/v2/orders/{order_id}", "/v2/orders:by_client_order_id"):
        text = json.dumps(document()["paths"][path])
        referenced |= {name for name in ORDER_EXAMPLES if f"#/components/examples/{name}" in text}
    assert referenced == set(ORDER_EXAMPLES)


@pytest.mark.parametrize(("name", "foreign_class"), ORDER_EXAMPLES.items())
def test_order_examples(name, foreign_class):
    raw = named_example(name)
    parsed = convert.order(raw)
    if foreign_class is None:
        assert isinstance(parsed, Order)
        assert (parsed.symbol, parsed.side, parsed.qty) == ("AAPL", Side.BUY, Decimal(2))
        assert parsed.limit_price == Decimal(150) and parsed.status == "accepted"
        return
    assert isinstance(parsed, ForeignRecord)
    assert parsed.kind == "order"
    assert foreign_class in (parsed.asset_class, parsed.reason.split()[1])
    assert json.loads(parsed.raw_json) == raw


def test_a_multileg_order_names_its_legs():
    parsed = convert.order(named_example("MultilegOptionsOrderResponse"))
    assert isinstance(parsed, ForeignRecord)
    assert parsed.symbol == "AAPL241213C00250000+AAPL241213C00260000"
    assert parsed.reason == "a mleg order"


def test_a_margin_account_with_negative_cash():
    account = convert.account(schema_example("Account"))
    assert account.cash == Decimal("-23140.2")
    assert account.multiplier == 4 and account.is_margin
    assert account.buying_power == Decimal("262113.632")
    assert account.equity == Decimal("103820.56")


@pytest.mark.parametrize("example", ["example-1", "example-2"])
def test_position_examples(example):
    parsed = convert.position(schema_example("Position", example))
    assert isinstance(parsed, Position) and parsed.symbol == "AAPL"


def test_crypto_option_and_short_positions_are_foreign():
    stock = dict(schema_example("Position"))
    crypto = {**stock, "symbol": "BTCUSD", "asset_class": "crypto", "exchange": "CRYPTO"}
    option = {**stock, "symbol": "AAPL250117C00150000", "asset_class": "us_option"}
    short = {**stock, "side": "short", "qty": "-5", "market_value": "-600.0"}
    reasons = [convert.position(raw) for raw in (crypto, option, short)]
    assert all(isinstance(r, ForeignRecord) for r in reasons)
    assert [r.reason for r in reasons] == [
        "asset class crypto",
        "asset class us_option",
        "a short position",
    ]


def test_the_fill_activity_example_and_a_short_sale():
    example = schema_example("TradingActivities")
    parsed = convert.fill(example)
    assert isinstance(parsed, Fill)
    assert (parsed.symbol, parsed.qty, parsed.price) == ("AAPL", Decimal(2), Decimal("174.78"))
    short = convert.fill({**example, "side": "sell_short"})
    assert isinstance(short, ForeignRecord) and short.reason == "a sell_short fill"
    crypto = convert.fill({**example, "symbol": "BTC/USD"})
    assert isinstance(crypto, ForeignRecord) and crypto.asset_class == "crypto"


def test_an_activity_of_another_type_is_never_booked_as_a_fill():
    dividend = schema_example("NonTradeActivities")
    parsed = convert.fill({**dividend, "side": "buy", "price": "1", "order_id": "x"})
    assert isinstance(parsed, ForeignRecord) and parsed.reason == "a DIV activity"


def test_the_deprecated_pattern_day_trader_flag_is_kept_where_present():
    assert convert.account(schema_example("Account")).pattern_day_trader is False
    example = {k: v for k, v in schema_example("Account").items() if k != "pattern_day_trader"}
    assert convert.account(example).pattern_day_trader is None


def test_an_asset_without_the_deprecated_easy_to_borrow():
    raw = {k: v for k, v in schema_example("Assets").items() if k != "easy_to_borrow"}
    asset = convert.asset({**raw, "exchange": "A_NEW_EXCHANGE"})
    assert (asset.symbol, asset.tradable, asset.fractionable) == ("AAPL", True, True)
    assert asset.exchange == "A_NEW_EXCHANGE"


def test_an_unknown_order_status_passes_through():
    parsed = convert.order({**named_example("EquityOrderResponse"), "status": "held_for_review"})
    assert isinstance(parsed, Order) and parsed.status == "held_for_review"


@pytest.mark.parametrize(
    ("symbol", "asset_class"),
    [
        ("AAPL", "us_equity"),
        ("BRK.B", "us_equity"),
        ("GOOGL", "us_equity"),
        ("BTCUSD", "crypto"),
        ("ETH/USD", "crypto"),
        ("AAPL241213C00250000", "us_option"),
        ("SPY250117P00400000", "us_option"),
    ],
)
def test_symbol_classes(symbol, asset_class):
    assert convert.symbol_class(symbol) == asset_class


def test_the_vendored_documents_are_alpacas(tmp_path):
    from pathlib import Path

    from .spec import HERE

    shared = Path(__file__).resolve().parents[3] / "shared" / "alpaca-openapi"
    if not shared.is_dir():
        pytest.skip(f"no shared copy of Alpaca's documents at {shared} to compare with")
    for name in ("trading-api.json", "market-data-api.json"):
        assert (HERE / name).read_bytes() == (shared / name).read_bytes(), name
