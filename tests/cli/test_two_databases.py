"""Two databases (two ``TRADER_HOME``s) on one broker account: the second run to send
sees the first's orders at the broker and refuses, naming them."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.cli.test_execute import paper_account

FAST = ("fill_timeout_seconds: 60", "fill_timeout_seconds: 1")


def test_a_second_database_on_the_account_refuses_to_send_after_the_first(
    trader_main, shared_sim, config_file, tmp_path
):
    with paper_account(shared_sim, config_file, FAST) as (server, env, config, client):
        first = {**env, "TRADER_HOME": str(tmp_path / "first")}
        second = {**env, "TRADER_HOME": str(tmp_path / "second")}
        for home in (first, second):
            planned = trader_main("--config", config, "plan", "--json", env=home)
            assert planned.code == 0, planned.err
        sent = trader_main("--config", config, "execute", "--confirm", "--json", env=first)
        assert sent.code == 0, sent.err
        first_ids = [o["client_order_id"] for o in json.loads(sent.out)["orders"]]

        before = len(client.get_orders())
        refused = trader_main("--config", config, "execute", "--confirm", env=second)
        assert refused.code == 17, (refused.out, refused.err)
        assert "Traceback" not in refused.err
        assert "another plan's order" in refused.err
        assert any(cid in refused.err for cid in first_ids), refused.err
        assert len(client.get_orders()) == before  # nothing sent


def test_an_open_order_of_another_database_refuses_the_run(
    trader_main, shared_sim, config_file, tmp_path
):
    with paper_account(shared_sim, config_file, FAST) as (server, env, config, client):
        first = {**env, "TRADER_HOME": str(tmp_path / "first")}
        second = {**env, "TRADER_HOME": str(tmp_path / "second")}
        for home in (first, second):
            assert trader_main("--config", config, "plan", env=home).code == 0
        server.controls.set_fill_ratio("XLK", Decimal(0))
        left_open = trader_main("--config", config, "execute", "--confirm", env=first)
        assert left_open.code == 18, (left_open.out, left_open.err)
        refused = trader_main("--config", config, "execute", "--confirm", env=second)
        assert refused.code == 17, (refused.out, refused.err)
        assert "still open" in refused.err and "-sell-XLK" in refused.err
