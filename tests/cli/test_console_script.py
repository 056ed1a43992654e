"""The ``trader`` console script and ``python -m trader``, run as a user runs them.

Every other CLI test calls ``main(argv)`` in the test process; these few start a real
process, to prove what only a process shows: the installed script starts, the exit code
reaches the shell, errors are one line on stderr, help needs no config.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "trader"


def test_the_installed_script_plans_on_the_embedded_sim(config_file, tmp_path, trader_environment):
    assert SCRIPT.is_file(), f"{SCRIPT}: run `make demo` to install the console script"
    completed = subprocess.run(
        [str(SCRIPT), "--config", str(config_file()), "plan", "--json"],
        capture_output=True,
        text=True,
        env=trader_environment(tmp_path / "home", None),
        cwd=tmp_path,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["account"] == "sim" and len(payload["orders"]) == 5
    assert (tmp_path / "home" / "trader.db").is_file()


def test_help_lists_the_commands_without_a_config(run_trader):
    result = run_trader("--help", env={"TRADER_CONFIG": "/nonexistent/config.yaml"})
    assert result.code == 0, result.err
    for command in ("sync", "plan", "execute", "run", "backtest", "sim"):
        assert f" {command} " in result.out, command


def test_no_command_shows_the_usage_and_exits_2(run_trader):
    result = run_trader()
    assert result.code == 2
    assert "Usage: trader [OPTIONS] COMMAND [ARGS]..." in result.out + result.err


def test_usage_errors_exit_2_with_the_usage(run_trader):
    unknown_option = run_trader("plan", "--bogus")
    assert unknown_option.code == 2
    assert "No such option: --bogus" in unknown_option.err
    assert "Try 'trader plan --help' for help." in unknown_option.err
    unknown_command = run_trader("nosuch")
    assert unknown_command.code == 2 and "No such command 'nosuch'" in unknown_command.err


def test_a_refusal_is_one_line_on_stderr_and_its_own_exit_code(run_trader, config_file):
    result = run_trader("--config", str(config_file()), "execute", "--confirm")
    assert result.code == 15, result.err
    assert result.err == "error: no staged plan: run `trader plan` first\n"
    assert result.out == ""


def test_a_config_error_exits_2_without_a_traceback(run_trader, config_file):
    config = config_file(("technology: 20", "technology: 25"))
    result = run_trader("--config", str(config), "plan")
    assert result.code == 2
    assert result.err.startswith("error: ") and "targets sum to 105, not 100" in result.err
    assert result.err.strip().count("\n") == 0 and "Traceback" not in result.err


PROBE = """
import gc, os, time
import trader.cli.console as console
during = gc.isenabled()
child = os.fork()
if child == 0:
    os._exit(0 if gc.isenabled() else 1)
_, status = os.waitpid(child, 0)
time.sleep(console.START_SECONDS + 0.5)
print(during, os.waitstatus_to_exitcode(status), gc.isenabled())
"""


def test_the_script_holds_the_garbage_collector_off_only_while_it_starts():
    # Off while the command starts; on again after START_SECONDS, and in a forked worker.
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["False", "0", "True"]
