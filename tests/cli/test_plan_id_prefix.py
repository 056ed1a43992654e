"""``trader execute --plan`` takes any unique prefix of a plan's id, as git takes a commit's:
``trader history`` shows eight characters."""

from __future__ import annotations

import json
import sqlite3


def staged_uid(trader_main, config) -> str:
    result = trader_main("--config", str(config), "plan", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["plan_id"]


def test_the_short_id_history_shows_picks_the_plan(trader_main, config_file):
    config = config_file(harvest=False)
    uid = staged_uid(trader_main, config)
    history = trader_main("--config", str(config), "history", env={"COLUMNS": "200"})
    assert history.code == 0, history.err
    assert uid[:8] in history.out and uid not in history.out
    preview = trader_main("--config", str(config), "execute", "--plan", uid[:8], "--json")
    assert preview.code == 0, preview.err
    assert json.loads(preview.out)["plan_id"] == uid


def test_an_ambiguous_prefix_is_one_line_naming_the_candidates(trader_main, config_file, tmp_path):
    config = config_file(harvest=False)
    first = staged_uid(trader_main, config)
    second = staged_uid(trader_main, config)
    with sqlite3.connect(tmp_path / "home" / "trader.db") as db:  # two ids that share "abcd"
        db.execute("update plan set uid = ? where uid = ?", ("abcd1" + first[5:], first))
        db.execute("update plan set uid = ? where uid = ?", ("abcd2" + second[5:], second))
    result = trader_main("--config", str(config), "execute", "--plan", "abcd")
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "ambiguous" in lines[0]
    assert ("abcd1" + first[5:])[:12] in lines[0] and ("abcd2" + second[5:])[:12] in lines[0]
    picked = trader_main("--config", str(config), "execute", "--plan", "ABCD2", "--json")
    assert picked.code == 0, picked.err
    assert json.loads(picked.out)["plan_id"] == "abcd2" + second[5:]


def test_a_prefix_of_no_plan_is_not_found(trader_main, config_file):
    config = config_file(harvest=False)
    staged_uid(trader_main, config)
    for wrong in ("zzzz", "12%", "ab_d"):
        result = trader_main("--config", str(config), "execute", "--plan", wrong)
        assert result.code in (2, 15), (wrong, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err


def test_a_prefix_shorter_than_four_characters_is_refused(trader_main, config_file):
    config = config_file(harvest=False)
    uid = staged_uid(trader_main, config)
    result = trader_main("--config", str(config), "execute", "--plan", uid[:3])
    assert result.code == 2, result.err
    assert "at least 4" in result.err
