"""Every value the broker sends is checked where it enters: prices positive and finite,
quantities and amounts in sane ranges, booleans JSON booleans, symbols in Alpaca's
grammar. A bad value is a ``MalformedResponse`` (exit 7) naming the field, never a
traceback or a plan built on it. The sim serves the bad answers over real HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trader.core.domain import OrderRequest, Side
from trader.errors import MalformedResponse

LATEST_TRADES = "/v2/stocks/trades/latest"


def _set_price(value):
    def edit(body):
        body["trades"]["SPY"]["p"] = value
        return body

    return edit


@pytest.mark.parametrize("value", [0, -1, 1e-9, 4e-7, "NaN", "Infinity", 1e12, "abc", True])
def test_a_latest_price_that_is_not_a_sane_positive_price_is_malformed(sim, broker, value):
    sim.controls.rewrite_next(LATEST_TRADES, _set_price(value))
    with pytest.raises(MalformedResponse, match="SPY latest trade"):
        broker.latest_prices(["SPY", "XLK"])


def _edit_first(field, value, where=None):
    def edit(body):
        record = body[0] if where is None else next(r for r in body if r["symbol"] == where)
        record[field] = value
        return body

    return edit


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("qty", "-5", "XLK.qty"),
        ("qty", "1000000000000", "XLK.qty"),
        ("qty", "1.0000000001", "XLK.qty"),
        ("current_price", "0", "XLK.current_price"),
        ("current_price", "-3", "XLK.current_price"),
        ("market_value", "1e40", "XLK.market_value"),
        ("avg_entry_price", "-1", "XLK.avg_entry_price"),
    ],
)
def test_a_long_position_with_a_bad_value_is_malformed(sim, broker, field, value, named):
    sim.controls.rewrite_next("/v2/positions", _edit_first(field, value, where="XLK"))
    with pytest.raises(MalformedResponse, match=named.replace(".", r"\.")):
        broker.positions()


def test_a_symbol_held_twice_is_malformed(sim, broker):
    sim.controls.rewrite_next("/v2/positions", lambda body: [*body, body[0]])
    with pytest.raises(MalformedResponse, match="appears twice"):
        broker.positions()


def test_a_symbol_outside_alpacas_grammar_is_foreign_and_shown_escaped(sim, broker):
    sim.controls.rewrite_next("/v2/positions", _edit_first("symbol", "XL\x1b[2J\x1b[31mK"))
    positions = broker.positions()
    [foreign] = broker.foreign_records()
    assert "\x1b" not in foreign.symbol and "\x1b" not in foreign.warning
    assert "\\x1b" in foreign.symbol
    assert "symbol" in foreign.reason
    assert all("\x1b" not in p.symbol for p in positions)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cash", "1e30"),
        ("cash", "NaN"),
        ("equity", "-1e30"),
        ("trading_blocked", "false"),
        ("account_blocked", 0),
    ],
)
def test_an_account_with_a_bad_value_is_malformed(sim, broker, field, value):
    def edit(body):
        body[field] = value
        return body

    sim.controls.rewrite_next("/v2/account", edit)
    with pytest.raises(MalformedResponse, match=f"account.{field}"):
        broker.account()


def test_a_clock_boolean_must_be_a_json_boolean(sim, broker):
    def edit(body):
        body["is_open"] = "false"
        return body

    sim.controls.rewrite_next("/v2/clock", edit)
    with pytest.raises(MalformedResponse, match="clock.is_open"):
        broker.clock()


def test_an_asset_boolean_must_be_a_json_boolean(sim, broker):
    def edit(body):
        body["tradable"] = "true"
        return body

    sim.controls.rewrite_next("/v2/assets/XLK", edit)
    with pytest.raises(MalformedResponse, match="XLK.tradable"):
        broker.asset("XLK")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("filled_qty", "1000000000"),
        ("filled_qty", "-1"),
        ("filled_qty", "2"),  # of an order of 1
        ("filled_avg_price", "0"),
    ],
)
def test_an_order_with_a_bad_value_is_malformed(sim, broker, field, value):
    broker.submit(OrderRequest("XLF", Side.BUY, "bad-values-1", qty=Decimal(1)))
    sim.controls.rewrite_next("/v2/orders", _edit_first(field, value))
    with pytest.raises(MalformedResponse, match=f"order.{field}"):
        broker.orders()


def test_a_fill_with_a_bad_price_is_malformed(sim, broker):
    sim.controls.rewrite_next("/v2/account/activities/FILL", _edit_first("price", "0"))
    with pytest.raises(MalformedResponse, match="activity.price"):
        broker.fills()


def test_an_escape_code_in_a_broker_text_is_escaped(sim, broker):
    def edit(body):
        body["status"] = "ACTIVE\x1b[2J"
        return body

    sim.controls.rewrite_next("/v2/account", edit)
    assert broker.account().status == "ACTIVE\\x1b[2J"
