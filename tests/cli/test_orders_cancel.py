"""``trader orders --cancel ID`` and ``--all-ours``: cancel open orders, only trader's own
unless ``--not-ours`` says otherwise, and record the cancellation in the plan's orders."""

from __future__ import annotations

import json

from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import LimitOrderRequest

from tests.cli.test_execute import database, paper_account, staged


def test_cancel_all_ours_leaves_the_users_own_orders(
    trader_main, config_file, tmp_path, shared_sim
):
    with paper_account(shared_sim, config_file) as (server, env, config, client):
        staged(trader_main, config, env)
        server.controls.close_market()
        queued = trader_main(
            "--config", config, "execute", "--confirm", "--allow-queued", "--json", env=env
        )
        assert queued.code == 19, queued.out + queued.err
        ours = [o["broker_order_id"] for o in json.loads(queued.out)["orders"]]
        theirs = client.submit_order(
            LimitOrderRequest(
                symbol="TLT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
                limit_price=1,
            )
        )  # fmt: skip

        refused = trader_main("--config", config, "orders", "--cancel", str(theirs.id), env=env)
        assert refused.code == 2, refused.out + refused.err
        assert refused.err.strip().startswith(f"error: --cancel {theirs.id}: not sent by trader")
        assert "--not-ours" in refused.err
        missing = trader_main("--config", config, "orders", "--cancel", "no-such-id", env=env)
        assert missing.code == 4 and "no open order" in missing.err, missing.err

        one = trader_main("--config", config, "orders", "--cancel", ours[0], env=env)
        assert one.code == 0, one.err
        assert "cancelled 1 order(s)" in one.out and "XLK" in one.out
        assert str(client.get_order_by_id(ours[0]).status.value) == "canceled"

        rest = trader_main("--config", config, "orders", "--all-ours", env=env)
        assert rest.code == 0, rest.err
        assert "cancelled 2 order(s)" in rest.out
        for order_id in ours:
            assert str(client.get_order_by_id(order_id).status.value) == "canceled"
        assert str(client.get_order_by_id(theirs.id).status.value) in ("new", "accepted")  # kept
        rows = database(tmp_path).execute("select status from plan_order order by seq").fetchall()
        assert rows == [("cancelled",)] * 3

        none = trader_main("--config", config, "orders", "--all-ours", env=env)
        assert none.code == 0 and "no open order of trader's to cancel" in none.out

        forced = trader_main(
            "--config", config, "orders", "--cancel", str(theirs.id), "--not-ours", env=env
        )
        assert forced.code == 0, forced.err
        assert str(client.get_order_by_id(theirs.id).status.value) == "canceled"


def test_order_times_are_new_york_times_with_their_zone(trader_main):
    listed = trader_main("orders", "--limit", "3", env={"COLUMNS": "200"})
    assert listed.code == 0, listed.err
    # The seed's last fill: 2026-06-26 15:06 UTC is 11:06 in New York, daylight time.
    assert "2026-06-26 11:06 EDT" in listed.out
