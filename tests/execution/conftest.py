"""Run ``trader execute --confirm`` as a user would, against a sim this test process controls.

``trader_main``, ``shared_sim`` and ``config_file`` come from ``tests/conftest.py`` (the
last with tax-loss harvesting off). ``Account`` ties together one test's sim, config,
environment and store; its commands run in this process, except ``start_execute``, a
``trader`` process of its own for the tests that kill or interrupt it.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.requests import GetOrdersRequest

from trader.sim import SIM_KEY_ID, SIM_SECRET_KEY, SimServer

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = REPO / "config" / "portfolio_allocation.yaml"
HARVEST_ON, HARVEST_OFF = "tax_loss_harvesting: true", "tax_loss_harvesting: false"
# Small retries and waits keep each run short; every test may add its own replacements.
FAST = (
    ("account: sim", "account: paper"),
    ("max_retries: 3", "max_retries: 1"),
    ("fill_timeout_seconds: 60", "fill_timeout_seconds: 2"),
)


@pytest.fixture
def config_file(config_file):
    """The shared ``config_file``, with tax-loss harvesting off: these tests are about
    sending the rebalance's three orders."""

    def make(*replacements: tuple[str, str], extra: str = "") -> Path:
        return config_file(*replacements, extra=extra, harvest=False)

    return make


@dataclass
class Account:
    """One test's sim, config and store, and the ``trader`` commands run against them."""

    server: SimServer
    config: Path
    home: Path
    env: dict[str, str]
    run: Callable[..., Any]  # the shared ``trader_main``
    environment: Callable[[Path, dict[str, str] | None], dict[str, str]]
    plan_id: str = ""
    client_ids: list[str] = field(default_factory=list)

    # -- commands -----------------------------------------------------------------------
    def trader(self, *args: str) -> Any:
        return self.run("--config", str(self.config), *args, env=self.env)

    def stage(self) -> None:
        """The seed account's staged plan (sell XLK, buy QQQ, buy XLF) is in the store."""
        rows = self.orders()
        assert [(r["side"], r["symbol"], r["status"]) for r in rows] == [
            ("sell", "XLK", "staged"),
            ("buy", "QQQ", "staged"),
            ("buy", "XLF", "staged"),
        ]
        self.plan_id = self.db().execute("select uid from plan").fetchone()[0]
        self.client_ids = [r["client_order_id"] for r in rows]
        assert all(cid.startswith(f"trader-{self.plan_id}-") for cid in self.client_ids)
        self.server.controls.clear_requests()

    def execute(self, *flags: str) -> Any:
        return self.trader("execute", "--confirm", *flags)

    def start_execute(self, *flags: str) -> subprocess.Popen:
        """``trader execute --confirm`` in the background, in a process of its own (the same
        environment as ``trader`` gets in ``trader_main``)."""
        return subprocess.Popen(
            [sys.executable, "-m", "trader", "--config", str(self.config), "execute", "--confirm"]
            + list(flags),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.environment(self.home, self.env),
            cwd=REPO,
            # A test suite run in the background inherits SIGINT ignored, and Python then
            # keeps it ignored: restore the default so Ctrl-C reaches the run as it would.
            preexec_fn=_default_sigint,
        )

    # -- the store ------------------------------------------------------------------------
    def db(self) -> sqlite3.Connection:
        database = sqlite3.connect(self.home / "trader.db")
        database.row_factory = sqlite3.Row
        return database

    def orders(self) -> list[dict]:
        with self.db() as database:
            rows = database.execute("select * from plan_order order by seq").fetchall()
        return [dict(row) for row in rows]

    def plan_status(self) -> str:
        with self.db() as database:
            return database.execute(
                "select status from plan where uid = ?", (self.plan_id,)
            ).fetchone()[0]

    def executions(self) -> list[str]:
        with self.db() as database:
            rows = database.execute(
                "select e.status from execution e join plan p on p.id = e.plan_id "
                "where p.uid = ? order by e.id",
                (self.plan_id,),
            ).fetchall()
        return [row[0] for row in rows]

    # -- the broker -----------------------------------------------------------------------
    def posts(self) -> list[dict]:
        """Every ``POST /v2/orders`` the sim has logged (answered, refused or dropped)."""
        return [
            r
            for r in self.server.controls.requests()
            if r["method"] == "POST" and r["path"] == "/v2/orders"
        ]

    def broker_orders(self) -> list:
        client = TradingClient(SIM_KEY_ID, SIM_SECRET_KEY, paper=True, url_override=self.server.url)
        return client.get_orders(GetOrdersRequest(status="all", limit=500))

    def plan_orders_at_broker(self) -> dict[str, list]:
        """The broker's orders carrying one of the plan's client order ids, by that id."""
        found: dict[str, list] = {cid: [] for cid in self.client_ids}
        for order in self.broker_orders():
            if order.client_order_id in found:
                found[order.client_order_id].append(order)
        return found

    # -- the whole promise ----------------------------------------------------------------
    def assert_recorded_once(self) -> None:
        """Each planned order once at the broker and filled; the store says the same."""
        at_broker = self.plan_orders_at_broker()
        counts = Counter({cid: len(orders) for cid, orders in at_broker.items()})
        assert counts == Counter(dict.fromkeys(self.client_ids, 1)), counts
        rows = {row["client_order_id"]: row for row in self.orders()}
        for cid, (order,) in at_broker.items():
            row = rows[cid]
            assert row["status"] == "filled", row
            assert row["broker_order_id"] == str(order.id), row
            assert order.status.value == "filled", order
            assert Decimal(row["filled_qty"]) == Decimal(order.filled_qty) == Decimal(row["qty"])
        assert self.plan_status() == "executed"

    def assert_no_duplicate_refused(self) -> None:
        """No submission was refused (a 422 here is the broker refusing a duplicate id)."""
        refused = [r for r in self.posts() if r["status"] == 422]
        assert refused == [], refused

    def assert_sent_exactly_once(self) -> None:
        self.assert_recorded_once()
        self.assert_no_duplicate_refused()

    def assert_nothing_more_to_send(self) -> None:
        before = len(self.posts())
        again = self.execute()
        assert again.code == 15, again.out + again.err
        assert "already executed" in again.err
        assert len(self.posts()) == before


def sim_environment(server: SimServer) -> dict[str, str]:
    return {
        "APCA_API_BASE_URL": server.url,
        "APCA_API_KEY_ID": SIM_KEY_ID,
        "APCA_API_SECRET_KEY": SIM_SECRET_KEY,
    }


@pytest.fixture(scope="session")
def staged_home(tmp_path_factory, trader_environment) -> Path:
    """A store in which ``trader plan`` staged the seed account's plan, made once.

    The sim's seed is deterministic (same account, prices and ids on every start), so
    each test copies this store and runs against a fresh sim of its own: the staged
    plan is exactly what ``trader plan`` would stage there, for a subprocess less.
    """
    root = tmp_path_factory.mktemp("staged")
    config = root / "config.yaml"
    text = SHIPPED_CONFIG.read_text().replace("account: sim", "account: paper", 1)
    text = text.replace(HARVEST_ON, HARVEST_OFF, 1)
    config.write_text(text.replace("reports_dir: ../paper_logs", f"reports_dir: {root / 'logs'}"))
    with SimServer() as server:
        completed = subprocess.run(
            [sys.executable, "-m", "trader", "--config", str(config), "plan"],
            capture_output=True,
            text=True,
            env=trader_environment(root / "home", sim_environment(server)),
            cwd=REPO,
            timeout=60,
        )
    assert completed.returncode == 0, completed.stderr
    assert "Staged plan" in completed.stdout and "with 3 order(s)" in completed.stdout
    return root / "home"


@pytest.fixture
def sim(shared_sim) -> Iterator[SimServer]:
    with shared_sim() as server:
        yield server


@pytest.fixture
def account(
    sim, trader_main, config_file, tmp_path, staged_home, trader_environment
) -> Callable[..., Account]:
    """An Account on a fresh seed sim with the plan staged; call it with config replacements."""

    def make(*replacements: tuple[str, str]) -> Account:
        config = config_file(*FAST, *replacements)
        home = tmp_path / "home"
        shutil.copytree(staged_home, home)
        acct = Account(sim, config, home, sim_environment(sim), trader_main, trader_environment)
        acct.stage()
        return acct

    return make


class RequestHook:
    """Run an action in the sim just before it handles a chosen request.

    The sim's faults apply to "the next n requests", whatever they are; to aim one at a
    given request (say, the first order submission) the action arms the fault as that
    request comes in. Installed on this server only, by wrapping its handler class.
    """

    def __init__(self, server: SimServer) -> None:
        self._lock = threading.Lock()
        self._armed: list[list] = []
        httpd = server._httpd  # the only private attribute the tests rely on
        assert httpd is not None
        self._httpd, self._base = httpd, httpd.RequestHandlerClass
        hook = self

        class Hooked(self._base):  # type: ignore[name-defined, misc]
            def _handle(self) -> None:
                hook.fire(self.command, urlsplit(self.path).path)
                super()._handle()

        httpd.RequestHandlerClass = Hooked

    def remove(self) -> None:
        """Give the server its own handler back (the module's next test shares the sim)."""
        self._httpd.RequestHandlerClass = self._base

    def once(self, method: str, path: str, action: Callable[[], None], skip: int = 0) -> None:
        """Run ``action`` as the sim receives the (skip+1)-th ``method path`` from now."""
        with self._lock:
            self._armed.append([method, path, action, skip])

    def fire(self, method: str, path: str) -> None:
        with self._lock:
            for index, armed in enumerate(self._armed):
                if (armed[0], armed[1]) != (method, path):
                    continue
                if armed[3] > 0:
                    armed[3] -= 1
                    return
                del self._armed[index]
                action = armed[2]
                break
            else:
                return
        action()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._armed)


@pytest.fixture
def hook(sim) -> Iterator[RequestHook]:
    installed = RequestHook(sim)
    yield installed
    installed.remove()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
