"""Reports: a copy for people, never fatal once orders went out, never lost, and
written where the config says whatever folder ``trader`` runs in."""

from __future__ import annotations

import errno
import json
import os
import stat

import trader.adapters.reports as reports_module


def execution_reports(folder):
    return sorted(folder.glob("execution-*.json"))


def test_a_full_reports_folder_after_the_orders_went_out_is_a_warning_and_the_next_run_writes_it(
    trader_main, config_file, tmp_path, monkeypatch
):
    config = str(config_file(harvest=False))
    folder = tmp_path / "paper_logs"
    planned = trader_main("--config", config, "plan", "--json")
    assert planned.code == 0, planned.err
    plan_id = json.loads(planned.out)["plan_id"]

    def full(stream, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(reports_module, "_write_synced", full)
        done = trader_main("--config", config, "execute", "--confirm")
    assert done.code == 0, (done.out, done.err)  # the orders filled: that is the outcome
    assert "Traceback" not in done.err
    assert done.err.strip() == (
        f"warning: the execution report of plan {plan_id} could not be written to {folder}: "
        f"No space left on device; the store holds the execution, and the next "
        f"`trader execute` writes the report"
    )
    assert execution_reports(folder) == []
    assert not list(folder.glob(".*.tmp"))  # no half-written file left behind

    again = trader_main("--config", config, "execute", "--confirm")
    assert again.code == 15, again.err  # nothing more to send...
    (report,) = execution_reports(folder)  # ...but the missing report is written
    assert f"note: wrote the missing execution report of an earlier run: {report}" in again.err
    written = json.loads(report.read_text())
    assert written["plan_id"] == plan_id and written["status"] == "filled"
    assert "written by a later run" in written["notes"][0]
    third = trader_main("--config", config, "execute", "--confirm")
    assert third.code == 15 and "note:" not in third.err
    assert len(execution_reports(folder)) == 1


def test_a_report_lost_to_a_kill_after_the_plan_was_executed_is_written_by_the_next_run(
    trader_main, config_file, tmp_path
):
    config = str(config_file(harvest=False))
    assert trader_main("--config", config, "plan").code == 0
    assert trader_main("--config", config, "execute", "--confirm").code == 0
    (report,) = execution_reports(tmp_path / "paper_logs")
    report.unlink()  # as if killed between marking the plan executed and writing it
    preview = trader_main("--config", config, "execute")
    assert preview.code == 15
    assert len(execution_reports(tmp_path / "paper_logs")) == 1


def test_a_report_is_flushed_to_the_disk_file_and_folder(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    synced = []
    real_fsync = os.fsync

    def recording(handle):
        synced.append(stat.S_ISDIR(os.fstat(handle).st_mode))
        real_fsync(handle)

    monkeypatch.setattr(reports_module.os, "fsync", recording)
    path = reports_module.write_report(
        tmp_path, "plan", datetime(2026, 1, 5, tzinfo=UTC), {"plan_id": "a" * 32}
    )
    assert json.loads(path.read_text()) == {"plan_id": "a" * 32}
    assert synced == [False, True]  # the file, then the folder that names it


def test_a_relative_reports_dir_is_relative_to_the_config_files_folder(
    trader_main, config_file, tmp_path
):
    shipped = config_file(harvest=False).read_text()
    folder = tmp_path / "settings"
    folder.mkdir()
    config = folder / "trader.yaml"
    config.write_text(
        "\n".join(line for line in shipped.splitlines() if not line.startswith("reports_dir:"))
        + "\nreports_dir: reports\n"
    )
    result = trader_main("--config", str(config), "plan")  # run from the repository
    assert result.code == 0, result.err
    (report,) = (folder / "reports").glob("plan-*.json")
    assert f"Report: {report}" in result.out.replace("\n", "")
