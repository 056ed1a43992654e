"""Assets, the clock, the trading calendar and FILL activities through alpaca-py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from alpaca.trading.enums import AssetStatus, OrderSide, TimeInForce
from alpaca.trading.requests import GetAssetsRequest, GetCalendarRequest, MarketOrderRequest

EXPECTED_SYMBOLS = set(
    [
        "XLK",
        "VGT",
        "XLV",
        "VHT",
        "XLF",
        "VFH",
        "XLE",
        "VDE",
        "XLI",
        "VIS",
        "SPY",
        "QQQ",
        "TQQQ",
        "SQQQ",
        "TLT",
        "XLU",
        "XLP",
        "VOO",
        "IVV",
        "VTI",
        "IEF",
        "BND",
        "AGG",
        "SHY",
        "GLD",
        "VNQ",
        "IWM",
        "DIA",
        "EFA",
        "VEA",
        "VWO",
        "SCHD",
    ]
)


def test_assets_cover_the_universe_with_an_untradable_one(sim):
    assets = {a.symbol: a for a in sim.trading.get_all_assets()}
    assert set(assets) >= EXPECTED_SYMBOLS
    assert not assets["TQQQ"].fractionable and not assets["SQQQ"].fractionable
    assert assets["XLK"].fractionable and assets["XLK"].tradable
    assert assets["XLK"].name == "Technology Select Sector SPDR Fund"
    assert {a.exchange.value for a in assets.values()} >= {"ARCA", "NASDAQ", "BATS"}
    untradable = [a for a in assets.values() if not a.tradable]
    assert [a.symbol for a in untradable] == ["TVIX"]
    active = sim.trading.get_all_assets(GetAssetsRequest(status=AssetStatus.ACTIVE))
    assert "TVIX" not in {a.symbol for a in active} and len(active) == len(assets) - 1


def test_an_asset_by_symbol_or_by_id(sim):
    xlk = sim.trading.get_asset("XLK")
    assert sim.trading.get_asset(xlk.id).symbol == "XLK"
    assert xlk.asset_class.value == "us_equity"


def test_a_fresh_sim_starts_during_a_regular_session(sim):
    clock = sim.trading.get_clock()
    assert clock.is_open
    assert clock.timestamp.isoformat() == "2026-11-24T11:00:00-05:00"
    assert clock.next_close.isoformat() == "2026-11-24T16:00:00-05:00"
    assert clock.next_open.isoformat() == "2026-11-25T09:30:00-05:00"


def test_the_clock_skips_thanksgiving_and_the_early_close(sim):
    sim.controls.advance(days=1)  # Wednesday 11:00
    sim.controls.close_market()
    clock = sim.trading.get_clock()
    assert not clock.is_open
    assert clock.next_open.isoformat() == "2026-11-27T09:30:00-05:00"  # Thursday is closed
    assert clock.next_close.isoformat() == "2026-11-27T13:00:00-05:00"  # early close
    sim.controls.open_market()
    sim.controls.close_market()
    assert sim.controls.now().isoformat() == "2026-11-27T13:00:00-05:00"
    sim.controls.open_market()  # over the weekend
    assert sim.controls.now().isoformat() == "2026-11-30T09:30:00-05:00"


def test_the_calendar_knows_holidays_weekends_and_early_closes(sim):
    days = sim.trading.get_calendar(
        GetCalendarRequest(start=date(2026, 11, 23), end=date(2026, 11, 30))
    )
    by_day = {d.date: d for d in days}
    assert sorted(by_day) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
        date(2026, 11, 30),
    ]
    assert by_day[date(2026, 11, 24)].open == datetime(2026, 11, 24, 9, 30)
    assert by_day[date(2026, 11, 24)].close == datetime(2026, 11, 24, 16, 0)
    assert by_day[date(2026, 11, 27)].close == datetime(2026, 11, 27, 13, 0)
    december = sim.trading.get_calendar(
        GetCalendarRequest(start=date(2026, 12, 23), end=date(2026, 12, 28))
    )
    assert [(d.date.day, d.close.hour) for d in december] == [(23, 16), (24, 13), (28, 16)]


def fills(client, **params):
    return client.get("/account/activities/FILL", params)


def test_fill_activities_explain_every_seed_position(sim):
    activities = fills(sim.trading, direction="asc")
    held: dict[str, Decimal] = {}
    for item in activities:
        assert item["activity_type"] == "FILL" and item["type"] == "fill"
        assert item["id"].split("::")[0].isdigit() and len(item["id"].split("::")[0]) == 17
        sign = 1 if item["side"] == "buy" else -1
        held[item["symbol"]] = held.get(item["symbol"], Decimal(0)) + sign * Decimal(item["qty"])
    positions = {p.symbol: Decimal(p.qty) for p in sim.trading.get_all_positions()}
    assert {s: q for s, q in held.items() if q} == positions
    assert any(item["side"] == "sell" for item in activities)
    oldest = datetime.fromisoformat(activities[0]["transaction_time"].replace("Z", "+00:00"))
    assert oldest.date() < date(2025, 11, 24)  # some lots are more than a year old


def test_the_average_entry_price_follows_from_the_fills(sim):
    buys = [f for f in fills(sim.trading, direction="asc") if f["symbol"] == "XLV"]
    cost = sum(Decimal(f["qty"]) * Decimal(f["price"]) for f in buys)
    qty = sum(Decimal(f["qty"]) for f in buys)
    avg = Decimal(sim.trading.get_open_position("XLV").avg_entry_price)
    assert abs(avg - cost / qty) < Decimal("0.000001")


def test_fill_activities_page_with_the_last_id_seen(sim):
    everything = fills(sim.trading, direction="asc")
    assert len(everything) > 6
    first = fills(sim.trading, direction="asc", page_size=4)
    second = fills(sim.trading, direction="asc", page_size=4, page_token=first[-1]["id"])
    assert first + second == everything[:8]
    newest_first = fills(sim.trading)
    assert newest_first == list(reversed(everything))
    tail = fills(sim.trading, page_size=3, page_token=newest_first[2]["id"])
    assert tail == newest_first[3:6]
    assert fills(sim.trading, direction="asc", page_token=everything[-1]["id"]) == []
    assert len(fills(sim.trading, page_size=500)) == len(everything)  # capped at 100, not refused


def test_fill_activities_by_type_query_and_date_filters(sim):
    order = sim.trading.submit_order(
        MarketOrderRequest(symbol="XLI", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    today = sim.trading.get("/account/activities", {"activity_types": "FILL", "date": "2026-11-24"})
    assert [(a["order_id"], a["qty"], a["order_status"]) for a in today] == [
        (str(order.id), "2", "filled")
    ]
    recent = fills(sim.trading, after="2026-11-24T00:00:00Z")
    assert len(recent) == 1
    older = fills(sim.trading, until="2026-11-24T00:00:00Z", page_size=100)
    assert len(older) == len(fills(sim.trading, page_size=100)) - 1
    assert sim.trading.get("/account/activities", {"activity_types": "DIV"}) == []
