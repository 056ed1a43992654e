"""The Broker implementation on alpaca-py: ``TradingClient`` and ``StockHistoricalDataClient``.

What alpaca-py does not do, this adapter does:
- it sets a request timeout (the SDK sets none, so a hung server hangs the caller);
- it reads FILL activities, and the corporate actions (splits, dividends, mergers...)
  among the other activities, through the client's raw ``get`` (the SDK has no method
  for them);
- it turns every SDK, HTTP and parsing error into the project's error tree;
- it retries *reads* on retryable errors with tenacity, in one place. The SDK's own
  blind 429/504 retry loop (3 s sleeps, ``Retry-After`` ignored) is switched off so
  that retries are counted and bounded here, and so that an order submission is
  never retried behind our back;
- it reads the latest trades, as it reads the fills, as raw JSON through the SDK's REST
  client: the SDK's market-data models import pandas, so they are loaded only for daily
  bars (``trader plan`` reads those once a day), and the trading client is imported
  with pandas deferred (see ``trader.broker.deferred_pandas``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from time import time as unix_time
from typing import Any, TypeVar
from uuid import UUID

import requests
from alpaca.common.enums import BaseURL, Sort
from alpaca.common.rest import RESTClient
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from trader.broker import convert
from trader.broker.deferred_pandas import pandas_deferred
from trader.broker.transfers import TRANSFER_TYPES, cash_transfer_out
from trader.broker.translate import translated
from trader.core.corporate import ACTION_TYPES
from trader.core.domain import (
    AccountInfo,
    Asset,
    Bar,
    CashTransfer,
    CorporateAction,
    Fill,
    ForeignRecord,
    MarketClock,
    Order,
    OrderRequest,
    Position,
    TradingDay,
)
from trader.core.price_check import MarketSnapshot
from trader.errors import BrokerError, ConfigError, NotFound, TemporaryBrokerError

with pandas_deferred():
    from alpaca.trading.client import TradingClient
    from alpaca.trading.enums import AssetStatus, OrderSide, QueryOrderStatus, TimeInForce
    from alpaca.trading.requests import (
        GetAssetsRequest,
        GetCalendarRequest,
        GetOrdersRequest,
        LimitOrderRequest,
        MarketOrderRequest,
        TrailingStopOrderRequest,
    )

T = TypeVar("T")
ACTIVITY_PAGE_SIZE = 100
# What ``adjustment=all`` adjusts past bars for (spin-offs too, which are rare enough to
# be flagged by the activities instead).
ADJUSTING_ACTIONS = ("forward_split", "reverse_split", "unit_split", "cash_dividend")
PAPER_ACCOUNT_PREFIX = "PA"
# The longest a read waits for a rate-limit window to reset (Alpaca's window is a minute).
MAX_RATE_LIMIT_WAIT = 60.0
SIP_HISTORY_DELAY = timedelta(minutes=16)


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and how to reach an Alpaca-compatible API. ``secret_key`` is never printed."""

    key_id: str
    secret_key: str
    paper: bool = True
    trading_url: str | None = None
    data_url: str | None = None
    timeout_seconds: float = 10.0
    max_retries: int = 3
    data_feed: str = "auto"  # auto | iex | sip | delayed_sip

    def __repr__(self) -> str:
        return f"Connection(paper={self.paper}, trading_url={self.trading_url!r})"


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def _configure(client: Any, timeout: float) -> None:
    adapter = _TimeoutAdapter(timeout)
    client._session.mount("http://", adapter)
    client._session.mount("https://", adapter)
    client._retry = 0  # retries are ours, see the module docstring


def _evidence(value: Any) -> Decimal | None:
    """A price that is only evidence: None when missing or not a sane price."""
    try:
        return convert.price(value, "evidence") if value is not None else None
    except (ValueError, ArithmeticError):
        return None


def _stock_order(raw: Any) -> Order:
    parsed = convert.order(raw)
    if isinstance(parsed, ForeignRecord):
        raise ValueError(f"order {parsed.symbol} is not a stock order ({parsed.reason})")
    return parsed


class AlpacaBroker:
    """A Broker backed by alpaca-py, pointed at Alpaca or any Alpaca-compatible URL."""

    def __init__(self, connection: Connection, *, retry_wait: float = 0.5) -> None:
        self.connection = connection
        self._trading = TradingClient(
            connection.key_id,
            connection.secret_key,
            paper=connection.paper,
            url_override=connection.trading_url,
            raw_data=True,  # parsed leniently in convert: the SDK's models reject real shapes
        )
        self._market_data = RESTClient(
            api_key=connection.key_id,
            secret_key=connection.secret_key,
            api_version="v2",
            base_url=connection.data_url or BaseURL.DATA,
        )
        for client in (self._trading, self._market_data):
            _configure(client, connection.timeout_seconds)
        self._data_client: Any = None  # alpaca-py's market-data client: see _data()
        self._retry_wait = retry_wait
        self._now = unix_time
        feed = connection.data_feed
        self.latest_feed = "sip" if feed == "auto" else feed
        self.history_feed = "sip" if feed in ("auto", "delayed_sip") else feed
        self.calls: list[tuple[str, str]] = []  # (action, outcome) for the event log
        self._foreign: dict[str, list[ForeignRecord]] = {}

    # -- plumbing -----------------------------------------------------------------
    def _read(self, action: str, call: Callable[[], T]) -> T:
        """Run a read with translation and bounded retries on retryable errors only."""
        retrying = Retrying(
            retry=retry_if_exception_type(TemporaryBrokerError),
            stop=stop_after_attempt(self.connection.max_retries + 1),
            wait=self._wait,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt, translated(action):
                    result = call()
        except Exception:
            self.calls.append((action, "error"))
            raise
        self.calls.append((action, "ok"))
        return result

    def _wait(self, state: RetryCallState) -> float:
        """Exponential back-off, or until a 429's ``X-RateLimit-Reset`` (bounded)."""
        backoff = wait_exponential(multiplier=self._retry_wait, max=8)(state)
        error = state.outcome.exception() if state.outcome is not None else None
        retry_at = getattr(error, "retry_at", None)
        if retry_at is None:
            return backoff
        return min(max(retry_at - self._now(), backoff), MAX_RATE_LIMIT_WAIT)

    # -- account ------------------------------------------------------------------
    def account(self) -> AccountInfo:
        """The account; a paper connection refuses an account whose number is not a paper
        one (Alpaca's paper numbers start with ``PA``): keys or a URL for real money."""
        info = self._read("read account", lambda: convert.account(self._trading.get_account()))
        if self.connection.paper and not info.account_number.startswith(PAPER_ACCOUNT_PREFIX):
            raise ConfigError(
                f"account {info.masked_number} is not a paper account (paper account numbers "
                f"start with {PAPER_ACCOUNT_PREFIX}), but the configured account is paper: "
                "check APCA_API_BASE_URL and the keys"
            )
        return info

    def positions(self) -> list[Position]:
        """The stock positions; any other (crypto, options, shorts) is kept aside as foreign."""

        def read() -> list[Position]:
            ours, foreign = convert.stock_positions(self._trading.get_all_positions())
            self._foreign["position"] = foreign
            return ours

        return self._read("read positions", read)

    def foreign_records(self) -> list[ForeignRecord]:
        """What the latest reads of positions, open orders and fills held that ``trader``
        does not trade, as the broker sent it."""
        return [
            record
            for kind in ("position", "order", "activity")
            for record in self._foreign.get(kind, [])
        ]

    def open_orders(self) -> list[Order]:
        return self.orders(status="open")

    def orders(
        self, status: str = "all", after: datetime | None = None, limit: int = 500
    ) -> list[Order]:
        request = GetOrdersRequest(
            status=QueryOrderStatus(status), after=after, limit=limit, direction=Sort.DESC
        )

        def read() -> list[Order]:
            ours, foreign = convert.equity_orders(self._trading.get_orders(filter=request))
            if status == "open":
                self._foreign["order"] = foreign
            return ours

        return self._read(f"read {status} orders", read)

    def _activity_pages(
        self, path: str, params: dict[str, Any], after: str | None = None
    ) -> Iterator[list[Any]]:
        """Every page of account activities at ``path``, oldest first, from activity id
        ``after`` on: a page shorter than the page size is the last."""
        token = after
        while True:
            query = {**params, "direction": "asc", "page_size": ACTIVITY_PAGE_SIZE}
            if token:
                query["page_token"] = token
            page = self._trading.get(path, query)
            if not isinstance(page, list):
                raise ValueError("account activities are not a list")
            yield page
            if len(page) < ACTIVITY_PAGE_SIZE:
                return
            token = str(page[-1]["id"])

    def fills(self, after: str | None = None) -> list[Fill]:
        """FILL activities newer than activity id ``after``, oldest first, following every page."""

        def read_all() -> list[Fill]:
            collected: list[Fill] = []
            foreign: list[ForeignRecord] = []
            for page in self._activity_pages("/account/activities/FILL", {}, after):
                for item in page:
                    parsed = convert.fill(item)
                    (foreign if isinstance(parsed, ForeignRecord) else collected).append(parsed)  # type: ignore[arg-type]
            self._foreign["activity"] = foreign
            return collected

        return self._read("read fill activities", read_all)

    def corporate_actions(self, after: str | None = None) -> list[CorporateAction]:
        """Splits, dividends and other corporate actions newer than activity id ``after``."""

        def read_all() -> list[CorporateAction]:
            params = {"activity_types": ",".join(ACTION_TYPES)}
            pages = self._activity_pages("/account/activities", params, after)
            return [convert.corporate_action(item) for page in pages for item in page]

        return self._read("read corporate actions", read_all)

    def cash_transfers(self, since: date) -> list[CashTransfer]:
        """Transfers of cash out of the account dated ``since`` or later, oldest first."""

        def read_all() -> list[CashTransfer]:
            params = {"activity_types": ",".join(TRANSFER_TYPES), "after": since.isoformat()}
            pages = self._activity_pages("/account/activities", params)
            found = (cash_transfer_out(item) for page in pages for item in page)
            return [t for t in found if t is not None and t.day >= since]

        return self._read("read cash transfers", read_all)

    # -- assets and calendar --------------------------------------------------------
    def assets(self, symbols: Sequence[str] | None = None) -> list[Asset]:
        """The given symbols' assets, one request each; without symbols, every active
        asset in one request."""
        if symbols:
            return [self.asset(symbol) for symbol in symbols]
        request = GetAssetsRequest(status=AssetStatus.ACTIVE)
        return self._read(
            "read active assets",
            lambda: [convert.asset(a) for a in self._trading.get_all_assets(request)],
        )

    def asset(self, symbol: str) -> Asset:
        return self._read(
            f"read asset {symbol}", lambda: convert.asset(self._trading.get_asset(symbol))
        )

    def clock(self) -> MarketClock:
        return self._read("read market clock", lambda: convert.clock(self._trading.get_clock()))

    def calendar(self, start: date, end: date) -> list[TradingDay]:
        request = GetCalendarRequest(start=start, end=end)
        return self._read(
            "read trading calendar",
            lambda: [convert.trading_day(d) for d in self._trading.get_calendar(filters=request)],
        )

    # -- market data ----------------------------------------------------------------
    def latest_prices(self, symbols: Sequence[str]) -> dict[str, Decimal]:
        """The last trade of each symbol, in one request, from the configured feed.

        ``auto`` asks SIP (every US exchange) and, when the data plan refuses recent SIP
        (a 403, as on Alpaca's free plan), IEX from then on in this process."""
        if not symbols:
            return {}

        def read(feed: str) -> dict[str, Decimal]:
            answer = self._market_data.get(
                "/stocks/trades/latest", {"symbols": ",".join(symbols), "feed": feed}
            )
            trades = answer["trades"]
            if not isinstance(trades, dict):
                raise ValueError("the latest trades are not an object")
            return {  # only what was asked: a symbol the broker made up is never priced
                s: convert.price(trades[s]["p"], f"{s} latest trade price")
                for s in symbols
                if s in trades
            }

        return self._latest("read latest prices", read)

    def _latest(self, action: str, read: Callable[[str], T]) -> T:
        """A read of the latest data from ``latest_feed``, falling back to IEX for good when
        ``auto`` finds recent SIP refused."""
        feed = self.latest_feed
        try:
            return self._read(f"{action} ({feed})", lambda: read(feed))
        except BrokerError as exc:
            if self.connection.data_feed != "auto" or feed != "sip" or exc.status != 403:
                raise
        self.latest_feed = "iex"
        return self._read(f"{action} (iex)", lambda: read("iex"))

    def snapshots(self, symbols: Sequence[str]) -> dict[str, MarketSnapshot]:
        """The latest trade, quote and previous daily close of each symbol, in one request,
        from the feed the latest prices use. The trade is checked as every price is (a bad
        one is a ``MalformedResponse``); a quote side or a close that is missing, zero or
        absurd is left out (no evidence), as a one-sided quote on a thin symbol is real."""
        if not symbols:
            return {}

        def read(feed: str) -> dict[str, MarketSnapshot]:
            answer = self._market_data.get(
                "/stocks/snapshots", {"symbols": ",".join(symbols), "feed": feed}
            )
            if not isinstance(answer, dict):
                raise ValueError("the snapshots are not an object")
            found: dict[str, MarketSnapshot] = {}
            for symbol in symbols:
                raw = answer.get(symbol)
                if not isinstance(raw, dict):
                    continue
                trade = raw.get("latestTrade") or {}
                quote = raw.get("latestQuote") or {}
                previous = raw.get("prevDailyBar") or {}
                found[symbol] = MarketSnapshot(
                    symbol,
                    convert.price(trade["p"], f"{symbol} snapshot trade price")
                    if trade.get("p") is not None
                    else None,
                    _evidence(quote.get("bp")),
                    _evidence(quote.get("ap")),
                    _evidence(previous.get("c")),
                )
            return found

        feed = self.latest_feed
        try:
            return self._read(f"read snapshots ({feed})", lambda: read(feed))
        except BrokerError as exc:  # as for the latest prices: a free plan's 403 on SIP
            if self.connection.data_feed != "auto" or feed != "sip" or exc.status != 403:
                raise
        self.latest_feed = "iex"
        return self._read("read snapshots (iex)", lambda: read("iex"))

    def _data(self) -> Any:
        """alpaca-py's market-data client, for bars and doctor's feed checks; made when
        first needed, as its models import pandas."""
        if self._data_client is None:
            from alpaca.data.historical.stock import StockHistoricalDataClient

            self._data_client = StockHistoricalDataClient(
                self.connection.key_id,
                self.connection.secret_key,
                url_override=self.connection.data_url,
            )
            _configure(self._data_client, self.connection.timeout_seconds)
        return self._data_client

    def daily_bars(
        self, symbols: Sequence[str], start: date, end: date | None = None
    ) -> dict[str, list[Bar]]:
        from alpaca.data.enums import Adjustment, DataFeed
        from alpaca.data.requests import StockBarsRequest
        from alpaca.data.timeframe import TimeFrame

        request = StockBarsRequest(
            symbol_or_symbols=list(symbols),
            timeframe=TimeFrame.Day,
            start=datetime.combine(start, time(), tzinfo=UTC),
            end=self._history_end(end),
            adjustment=Adjustment.ALL,
            feed=DataFeed(self.history_feed),
        )

        def read() -> dict[str, list[Bar]]:
            barset = self._data().get_stock_bars(request)
            return {
                symbol: [
                    Bar(
                        timestamp=b.timestamp,
                        open=convert.price(b.open, "bar.open"),
                        high=convert.price(b.high, "bar.high"),
                        low=convert.price(b.low, "bar.low"),
                        close=convert.price(b.close, "bar.close"),
                        volume=int(b.volume),
                    )
                    for b in bars
                ]
                for symbol, bars in barset.data.items()
            }

        return self._read("read daily bars", read)

    def bar_adjustments(
        self, symbols: Sequence[str], start: date, end: date
    ) -> dict[str, list[date]]:
        """The ex-dates of the splits and cash dividends of ``symbols`` processed between
        ``start`` and ``end``: the days split- and dividend-adjusted bars change before."""
        if not symbols:
            return {}
        from alpaca.data.historical.corporate_actions import CorporateActionsClient
        from alpaca.data.requests import CorporateActionsRequest

        client = CorporateActionsClient(
            self.connection.key_id,
            self.connection.secret_key,
            raw_data=True,
            url_override=self.connection.data_url,
        )
        _configure(client, self.connection.timeout_seconds)
        request = CorporateActionsRequest(
            symbols=list(symbols),
            types=list(ADJUSTING_ACTIONS),
            start=start,
            end=end,
        )

        def read() -> dict[str, list[date]]:
            found: dict[str, list[date]] = {}
            raw = client.get_corporate_actions(request)
            if not isinstance(raw, dict):
                raise ValueError("corporate actions are not an object")
            for items in raw.values():
                for item in items if isinstance(items, list) else []:
                    symbol = str(item.get("symbol", ""))
                    found.setdefault(symbol, []).append(date.fromisoformat(str(item["ex_date"])))
            return found

        return self._read("read corporate actions (market data)", read)

    def feed_answers(self, symbol: str, feed: str, *, history: bool = False) -> str:
        """``ok`` when ``feed`` answers for ``symbol`` (the latest trade, or daily bars of
        the past week that end a day ago), else why not; for ``trader doctor``."""
        from alpaca.data.enums import DataFeed
        from alpaca.data.requests import StockBarsRequest, StockLatestTradeRequest
        from alpaca.data.timeframe import TimeFrame

        try:
            with translated(f"read {feed} {'history' if history else 'latest trade'}"):
                if history:
                    end = datetime.fromtimestamp(self._now(), UTC) - timedelta(days=1)
                    self._data().get_stock_bars(
                        StockBarsRequest(
                            symbol_or_symbols=symbol,
                            timeframe=TimeFrame.Day,
                            start=end - timedelta(days=7),
                            end=end,
                            feed=DataFeed(feed),
                        )
                    )
                else:
                    self._data().get_stock_latest_trade(
                        StockLatestTradeRequest(symbol_or_symbols=symbol, feed=DataFeed(feed))
                    )
        except BrokerError as exc:
            return str(exc).split(": ", 1)[-1]
        return "ok"

    def _history_end(self, end: date | None) -> datetime | None:
        """Where a bar request ends. SIP history is free only 15 minutes late: a SIP
        request that would reach into the last quarter hour leaves the end out, and the
        data API then ends it where the account's plan allows."""
        asked = datetime.combine(end, time(23, 59), tzinfo=UTC) if end else None
        if asked is None or self.history_feed != "sip":
            return asked
        latest = datetime.fromtimestamp(self._now(), UTC) - SIP_HISTORY_DELAY
        return asked if asked <= latest else None

    # -- orders -----------------------------------------------------------------------
    def submit(self, request: OrderRequest) -> Order:
        """Submit once. Never retried here: after an unclear failure, look it up by client id."""
        common: dict[str, Any] = {
            "symbol": request.symbol,
            "side": OrderSide(request.side.value),
            "time_in_force": TimeInForce(request.time_in_force),
            "client_order_id": request.client_order_id,
        }
        # alpaca-py's request models demand floats; the values are already quantized.
        if request.qty is not None:
            common["qty"] = float(request.qty)
        else:
            common["notional"] = float(request.notional)  # type: ignore[arg-type]
        if request.order_type == "limit":
            alpaca_request: Any = LimitOrderRequest(
                limit_price=float(request.limit_price or 0), **common
            )
        elif request.order_type == "trailing_stop":
            alpaca_request = TrailingStopOrderRequest(
                trail_percent=float(request.trail_percent or 0), **common
            )
        else:
            alpaca_request = MarketOrderRequest(**common)
        action = f"submit {request.side.value} {request.symbol}"
        try:
            with translated(action, request):
                result = _stock_order(self._trading.submit_order(alpaca_request))
        except Exception:
            self.calls.append((action, "error"))
            raise
        self.calls.append((action, "ok"))
        return result

    def order_by_client_id(self, client_order_id: str) -> Order | None:
        def read() -> Order | None:
            try:
                with translated("look up order"):
                    return _stock_order(self._trading.get_order_by_client_id(client_order_id))
            except NotFound:
                return None

        return self._read(f"look up order {client_order_id}", read)

    def cancel(self, order_id: str) -> None:
        with translated(f"cancel order {order_id}"):
            self._trading.cancel_order_by_id(UUID(order_id))
