"""Tax lots, tax-loss harvesting, wash-sale windows and trailing stops, end to end on the sim."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY

D = Decimal


def energy_config(tmp_path, reserve: str) -> str:
    path = tmp_path / "energy.yaml"
    path.write_text(
        "account: paper\n"
        "target_allocation: {energy: 100}\n"
        "categories: {energy: [XLE, VDE]}\n"
        "rebalancing: {min_trade_dollars: 10}\n"
        "risk_management:\n"
        "  max_single_position: 100\n"
        "  tax_loss_harvesting: true\n"
        "  tlh_min_loss_dollars: 100\n"
        "  tlh_min_loss_pct: 5\n"
        f"portfolio: {{cash_reserve: {reserve}}}\n"
        "tax_rates: {short_term: 24, long_term: 15}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    return str(path)


def test_the_brief_example_harvests_xle_into_vde_and_keeps_the_windows(
    trader_main, tmp_path, paper_env, shared_sim
):
    with shared_sim("empty") as server:
        env = paper_env(server)
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)
        # XLE bought at $70, 10 shares; six weeks later it is at $60.
        server.controls.set_prices({"XLE": "70.00"})
        client.submit_order(
            MarketOrderRequest(
                symbol="XLE", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
        server.controls.advance(days=42)
        server.controls.open_market()
        server.controls.set_prices({"XLE": "60.00", "VDE": "120.00"})
        # Cash 99,300: the reserve takes 99,285, and the 15 left is the buy buffer the swap
        # keeps in hand (2.5% of its 600 buy). XLE's 600 is 97.6% of the investable 615:
        # within its band, so only the harvest trades.
        config = energy_config(tmp_path, "99285")

        planned = trader_main("--config", config, "plan", "--json", env=env)
        assert planned.code == 0, planned.err
        plan = json.loads(planned.out)
        assert plan["due"] is False
        assert [(o["side"], o["symbol"], o["qty"], o["kind"]) for o in plan["orders"]] == [
            ("sell", "XLE", "10", "harvest"),
            ("buy", "VDE", "5", "harvest"),
        ]
        sell = plan["orders"][0]
        assert (sell["est_realized_pl"], sell["est_short_term"]) == ("-100.00", "-100.00")
        assert plan["tax"]["harvested_loss"] == "-100.00"
        assert plan["tax"]["tax_saved_by_harvesting"] == "24.00"  # short-term, at 24%

        executed = trader_main("--config", config, "execute", "--confirm", env=env)
        assert executed.code == 0, executed.err
        # The harvest's kind survives staging: the history tells it from a rebalance.
        (entry,) = json.loads(trader_main("--config", config, "history", "--json", env=env).out)
        assert entry["kinds"] == {"harvest": 2}
        assert [(o["symbol"], o["kind"]) for o in entry["order_list"]] == [
            ("XLE", "harvest"),
            ("VDE", "harvest"),
        ]
        shown = trader_main("--config", config, "history", env=env)
        assert "harvest 2" in shown.out

        lots = json.loads(trader_main("--config", config, "lots", "--json", env=env).out)
        assert [h["symbol"] for h in lots["holdings"]] == ["VDE"]
        (vde,) = lots["holdings"]
        assert [(lot["qty"], lot["cost"], lot["term"]) for lot in vde["lots"]] == [
            ("5", "120", "short")
        ]
        windows = {(w["symbol"], w["window"]) for w in lots["wash_sale_windows"]}
        assert windows == {("XLE", "sold at a loss: no buy"), ("VDE", "bought: no harvest")}

        # VDE falls at once: its loss cannot be harvested, it was bought today.
        server.controls.set_prices({"VDE": "100.00"})
        again = json.loads(trader_main("--config", config, "plan", "--json", env=env).out)
        assert again["orders"] == []
        (skip,) = again["skipped"]
        assert skip["symbol"] == "VDE" and "wash-sale window" in skip["reason"]

        # Energy now needs buying (a smaller reserve): never XLE, sold at a loss today.
        lower = energy_config(tmp_path, "99000")
        bought = json.loads(trader_main("--config", lower, "plan", "--json", env=env).out)
        assert bought["due"] is True
        assert {o["symbol"] for o in bought["orders"] if o["side"] == "buy"} == {"VDE"}


def test_a_winner_below_its_trailing_stop_is_sold_and_its_peak_cached(
    trader_main, config_file, tmp_path
):
    config = str(config_file())
    # XLV: cost about 121.42, peak close 146.75 in the sim's history; 130 is 11.4% lower.
    assert trader_main("--config", config, "sim", "price", "XLV", "130.00").code == 0
    result = trader_main("--config", config, "plan", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    stops = [o for o in plan["orders"] if o["kind"] == "trailing_stop"]
    assert [(o["side"], o["symbol"], o["qty"]) for o in stops] == [("sell", "XLV", "11.03")]
    assert "peaked at $146.75" in stops[0]["reason"]
    assert any("XLV hit its trailing stop" in w for w in plan["warnings"])
    database = sqlite3.connect(tmp_path / "home" / "trader.db")
    peaks = dict(database.execute("select symbol, peak from price_peak").fetchall())
    assert D(peaks["XLV"]) == D("146.75")
    assert set(peaks) == {"XLK", "XLV", "XLF", "XLE", "SPY", "TQQQ", "TLT"}
    # The losers have no stop: a trailing stop is for winners.
    assert {o["symbol"] for o in stops} == {"XLV"}
    # The review shows the orders of a plan whose only orders are stops and harvests.
    calm = str(config_file(("drift_threshold: 5", "drift_threshold: 20")))
    review = trader_main("--config", calm, "plan")
    assert review.code == 0, review.err
    assert "No rebalance is due" in review.out
    assert "SELL XLV: trailing stop: XLV peaked at $146.75" in review.out


def open_stops(trader_main, config) -> dict[str, Decimal]:
    result = trader_main("--config", config, "orders", "--json")
    assert result.code == 0, result.err
    orders = json.loads(result.out)
    stops = {}
    for order in orders:
        if order["client_order_id"].startswith("trader-ts-") and order["status"] in (
            "new",
            "accepted",
        ):
            assert order["type"] == "trailing_stop" and order["symbol"] not in stops
            stops[order["symbol"]] = D(order["qty"])
    return stops


def test_broker_trailing_stops_are_placed_and_moved_aside_for_our_trades(trader_main, config_file):
    config = str(config_file(("trailing_stop_mode: plan", "trailing_stop_mode: broker")))
    plan = json.loads(trader_main("--config", config, "plan", "--json").out)
    assert "trailing_stop" not in {o["kind"] for o in plan["orders"]}  # the broker does it
    first = trader_main("--config", config, "execute", "--confirm")
    assert first.code == 0, first.err
    # Every holding gets one stop for its whole shares (XLE was harvested into VDE).
    assert open_stops(trader_main, config) == {
        "XLK": D(12),
        "XLV": D(11),
        "XLF": D(43),
        "SPY": D(2),
        "TQQQ": D(15),
        "TLT": D(4),
        "QQQ": D(2),
        "VDE": D(6),
    }
    # New targets: financials up, healthcare down. Buying XLF with its stop open would be a
    # "potential wash trade", and XLV's stop holds the shares to sell: both are moved aside.
    shifted = str(
        config_file(
            ("trailing_stop_mode: plan", "trailing_stop_mode: broker"),
            ("financials: 15", "financials: 20"),
            ("healthcare: 15", "healthcare: 10"),
            ("drift_threshold: 5", "drift_threshold: 2"),
            harvest=False,
        )
    )
    second_plan = json.loads(trader_main("--config", shifted, "plan", "--json").out)
    assert {(o["side"], o["symbol"]) for o in second_plan["orders"]} >= {
        ("buy", "XLF"),
        ("sell", "XLV"),
    }
    second = trader_main("--config", shifted, "execute", "--confirm", "--json")
    assert second.code == 0, second.err
    result = json.loads(second.out)
    assert {o["status"] for o in result["orders"]} == {"filled"}
    assert any("cancelled our trailing stop on XLF" in note for note in result["notes"])
    assert any("cancelled our trailing stop on XLV" in note for note in result["notes"])
    stops_after = open_stops(trader_main, shifted)
    assert stops_after["XLF"] > 43 and stops_after["XLV"] < 11


def two_category_config(tmp_path) -> str:
    path = tmp_path / "two.yaml"
    path.write_text(
        "account: paper\n"
        "target_allocation: {energy: 50, bonds: 50}\n"
        "categories: {energy: [XLE, VDE], bonds: [TLT]}\n"
        "rebalancing: {drift_threshold: 5, min_trade_dollars: 10}\n"
        "risk_management:\n"
        "  max_single_position: 100\n"
        "  tax_loss_harvesting: false\n"
        "portfolio: {cash_reserve: 98570}\n"
        # The reserve is all the cash: the sale funds the buy exactly, with no buy buffer.
        "execution: {buy_buffer_pct: 0}\n"
        "tax_rates: {short_term: 24, long_term: 15}\n"
        f"reports_dir: {tmp_path / 'reports'}\n"
    )
    return str(path)


def test_a_rebalancing_sell_at_a_loss_is_washed_and_the_replacement_lot_adjusted(
    trader_main, tmp_path, paper_env, shared_sim
):
    with shared_sim("empty") as server:
        env = paper_env(server)
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)

        def buy(symbol: str, qty: int) -> None:
            client.submit_order(
                MarketOrderRequest(
                    symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
                )
            )

        # Day 0: 10 XLE at 70 and 6 TLT at 100. Day 40: 2 more XLE at 65.
        # Cash: 100,000 - 700 - 600 - 130 = 98,570, which is the reserve.
        server.controls.set_prices({"XLE": "70.00", "TLT": "100.00"})
        buy("XLE", 10)
        buy("TLT", 6)
        server.controls.advance(days=40)
        server.controls.open_market()
        server.controls.set_prices({"XLE": "65.00"})
        buy("XLE", 2)
        # Day 50: XLE 60, TLT 80.
        server.controls.advance(days=10)
        server.controls.open_market()
        server.controls.set_prices({"XLE": "60.00", "TLT": "80.00"})
        config = two_category_config(tmp_path)

        before = json.loads(trader_main("--config", config, "lots", "--json", env=env).out)
        (xle_before,) = [h for h in before["holdings"] if h["symbol"] == "XLE"]
        day0, day40 = (lot["acquired"] for lot in xle_before["lots"])

        planned = trader_main("--config", config, "plan", "--json", env=env)
        assert planned.code == 0, planned.err
        plan = json.loads(planned.out)
        # Investable: 12 * 60 + 6 * 80 = 1,200, 600 a side. Energy holds 720 (60%, 10
        # points over): it sells 120 = 2 XLE. FIFO takes them from the day-0 lot (cost 70)
        # at 60: a loss of 2 * 10 = 20. The 2 shares bought on day 40 (10 days ago) stay:
        # they replace the 2 sold, so all 20 is washed. No tax saving is claimed.
        sells = [o for o in plan["orders"] if o["side"] == "sell"]
        assert [(o["symbol"], o["qty"], o["kind"]) for o in sells] == [("XLE", "2", "rebalance")]
        (sell,) = sells
        assert (sell["est_realized_pl"], sell["est_washed"], sell["washed"]) == (
            "-20.00",
            "20.00",
            True,
        )
        assert (sell["est_short_term"], sell["est_long_term"]) == ("0.00", "0.00")
        assert plan["tax"]["washed_loss"] == "20.00"
        assert plan["tax"]["short_term_losses"] == "0.00"
        assert plan["tax"]["estimated_tax"] == "0.00"
        review = trader_main("--config", config, "plan", env=env)
        assert "washed: $20.00 of loss is disallowed" in " ".join(review.out.split())

        executed = trader_main("--config", config, "execute", "--confirm", "--json", env=env)
        assert executed.code == 0, executed.err
        report = json.loads(executed.out)
        assert {(o["symbol"], o["kind"]) for o in report["orders"]} == {
            ("XLE", "rebalance"),
            ("TLT", "rebalance"),
        }

        # After the sale the lots are rebuilt from the fills: 8 shares of the day-0 lot at
        # 70, and the 2 replacement shares at 65 + 10 = 75 a share, their holding period
        # starting on day 0 (the sold shares'), bought on day 40, carrying 20 washed.
        after = json.loads(trader_main("--config", config, "lots", "--json", env=env).out)
        (xle,) = [h for h in after["holdings"] if h["symbol"] == "XLE"]
        assert [
            (lot["qty"], lot["cost"], lot["acquired"], lot["bought"], lot["washed"])
            for lot in xle["lots"]
        ] == [("8", "70", day0, None, None), ("2", "75", day0, day40, "20")]
        table = trader_main("--config", config, "lots", env=env)
        assert "washed: +$20.00 basis" in " ".join(table.out.split())


def test_trader_taxes_matches_a_hand_computation_over_a_year_of_sim_fills(
    trader_main, tmp_path, paper_env, shared_sim
):
    with shared_sim("empty") as server:
        env = paper_env(server)
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=server.url)
        config = two_category_config(tmp_path)
        # What each sale realizes, by the year it falls in: (st gain, st loss, lt gain,
        # lt loss, washed).
        expected: dict[int, list[Decimal]] = {}

        def trade(side: OrderSide, symbol: str, qty: int, price: str) -> int:
            server.controls.open_market()
            server.controls.set_prices({symbol: price})
            client.submit_order(
                MarketOrderRequest(symbol=symbol, qty=qty, side=side, time_in_force=TimeInForce.DAY)
            )
            return client.get_clock().timestamp.year

        def books(year: int, *amounts: str) -> None:
            row = expected.setdefault(year, [D(0)] * 5)
            expected[year] = [a + D(b) for a, b in zip(row, amounts, strict=True)]

        # Day 0: 10 XLE at 70, 5 TLT at 100.
        trade(OrderSide.BUY, "XLE", 10, "70.00")
        trade(OrderSide.BUY, "TLT", 5, "100.00")
        # Day 20: TLT pays a dividend of 0.50 a share: 2.50 in cash, a DIV activity.
        server.controls.advance(days=20)
        server.controls.dividend("TLT", "0.50")
        dividends = {server.controls.now().year: D("2.50")}
        # Day 40: sell 4 XLE at 60: a short-term loss of 4 * 10 = 40 ...
        server.controls.advance(days=20)
        sold_at_loss = trade(OrderSide.SELL, "XLE", 4, "60.00")
        # ... day 45: 2 XLE bought back at 62 wash 2 * 10 = 20 of it; 20 counts. The 2
        # shares now cost 62 + 10 = 72 and date from day 0.
        server.controls.advance(days=5)
        trade(OrderSide.BUY, "XLE", 2, "62.00")
        books(sold_at_loss, "0", "-20", "0", "0", "20")
        # Day 100: sell 3 XLE at 80: from the day-0 lot (cost 70): a short-term gain of 30.
        server.controls.advance(days=55)
        books(trade(OrderSide.SELL, "XLE", 3, "80.00"), "30", "0", "0", "0", "0")
        # Day 400: sell 5 TLT at 120 (held over a year): a long-term gain of 100; and the
        # 5 XLE left at 65: 3 of the day-0 lot (-15) and the 2 replacement shares (cost 72:
        # -14), all long-term since the replacement's holding period starts on day 0.
        server.controls.advance(days=300)
        books(trade(OrderSide.SELL, "TLT", 5, "120.00"), "0", "0", "100", "0", "0")
        books(trade(OrderSide.SELL, "XLE", 5, "65.00"), "0", "0", "0", "-29", "0")

        for year, (st_gain, st_loss, lt_gain, lt_loss, washed) in expected.items():
            result = trader_main(
                "--config", config, "taxes", "--year", str(year), "--json", env=env
            )
            assert result.code == 0, result.err
            summary = json.loads(result.out)
            assert summary["estimate"] is True and "estimate" in summary["note"]
            got = [
                D(summary[k])
                for k in (
                    "short_term_gains",
                    "short_term_losses",
                    "long_term_gains",
                    "long_term_losses",
                    "washed_losses",
                )
            ]
            assert got == [st_gain, st_loss, lt_gain, lt_loss, washed], year
            assert D(summary["dividends"]) == dividends.get(year, D(0)), year
        (paid_in,) = dividends
        paid = json.loads(
            trader_main("--config", config, "taxes", "--year", str(paid_in), "--json", env=env).out
        )
        assert (D(paid["dividends"]), paid["dividend_payments"]) == (D("2.50"), 1)
        shown = trader_main("--config", config, "taxes", "--year", str(max(expected)), env=env)
        assert shown.code == 0 and "(estimate)" in shown.out


def test_a_broker_stop_takes_only_the_shares_the_users_own_sell_leaves_free(
    trader_main, config_file, shared_sim
):
    # The user sells 5 of his 11.03 XLV himself with a GTC limit far above the price: those 5
    # are held by his order (qty_available 6.03), so our stop can hold 6, not 11. Before, the
    # stop for 11 was refused ("insufficient qty available") and the finished run exited 8.
    from alpaca.trading.enums import OrderSide, TimeInForce
    from alpaca.trading.requests import LimitOrderRequest

    from tests.cli.test_execute import paper_account

    with paper_account(
        shared_sim, config_file, ("trailing_stop_mode: plan", "trailing_stop_mode: broker")
    ) as (server, env, config, client):
        client.submit_order(
            LimitOrderRequest(
                symbol="XLV", qty=5, side=OrderSide.SELL, limit_price=999,
                time_in_force=TimeInForce.GTC,
            )
        )  # fmt: skip
        staged = trader_main("--config", config, "plan", "--json", env=env)
        assert staged.code == 0, staged.err
        executed = trader_main("--config", config, "execute", "--confirm", "--json", env=env)
        assert executed.code == 0, executed.out + executed.err
        stops = {
            o.symbol: D(str(o.qty))
            for o in client.get_orders()
            if o.client_order_id.startswith("trader-ts-")
        }
    notes = json.loads(executed.out)["notes"]
    assert stops["XLV"] == D(6), (stops, notes)
    assert "trailing stop placed on 6 XLV (10%)" in notes
