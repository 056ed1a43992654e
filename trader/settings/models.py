"""The strict schema of ``portfolio_allocation.yaml``.

Every section forbids unknown keys, so a typo is an error naming the key and its
line instead of a silently ignored setting. Field checks live on the fields; the
rules of the allocation that relate several keys live in the engine's ``Policy``
(the loader builds it and places each problem at its key); the few other checks
that relate keys live in :func:`consistency_problems`, which returns each problem
with the path of the key to blame.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import Strict as StrictType

from trader.core.symbols import CRYPTO, symbol_class

SYMBOL_PATTERN = r"^[A-Z][A-Z0-9.]{0,9}$"
CATEGORY_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"  # ASCII only: no "é", no "ß"
Symbol = Annotated[str, StringConstraints(pattern=SYMBOL_PATTERN)]
CategoryName = Annotated[str, StringConstraints(pattern=CATEGORY_NAME_PATTERN)]
Percent = Annotated[Decimal, Field(ge=0, le=100)]
PositivePercent = Annotated[Decimal, Field(gt=0, le=100)]
Dollars = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))]
# A switch is a YAML boolean (true/false), never a string or a number that reads as one;
# a count is a whole number, never true or 5.0.
Switch = Annotated[bool, StrictType()]
Count = Annotated[int, StrictType()]

ACCOUNT_MODES = ("sim", "paper", "live", "manual")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalendarEntry(Strict):
    day: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "first_trading_day"] = (
        "Monday"
    )
    frequency: Literal["daily", "weekly", "monthly", "quarterly"] = "weekly"


class Rebalancing(Strict):
    method: Literal["threshold", "calendar", "hybrid"] = "threshold"
    drift_threshold: PositivePercent = Decimal(5)
    relative_threshold: PositivePercent | None = None
    rebalance_to: Literal["target", "band_edge"] = "target"
    cash_flow: Literal["prefer", "buy_only", "full"] = "prefer"
    check_frequency: Literal["daily", "weekly", "monthly", "quarterly"] = "weekly"
    calendar_schedule: list[CalendarEntry] = Field(default_factory=list)
    min_trade_dollars: Dollars = Decimal(100)
    max_trades_per_session: Annotated[Count, Field(ge=1, le=1000)] = 5
    fractional_shares: Switch = True
    prefer_etfs_with_score_above: Percent | None = None


class RiskManagement(Strict):
    max_single_position: PositivePercent = Decimal(25)
    max_leveraged_total: Percent = Decimal(15)
    max_leveraged_exposure: Percent | None = None
    trailing_stop: Annotated[Decimal, Field(gt=0, lt=100)] | None = None
    trailing_stop_mode: Literal["plan", "broker"] = "plan"
    stop_reentry_days: Annotated[Count, Field(ge=0, le=3650)] = 30
    tax_loss_harvesting: Switch = False
    tlh_min_loss_dollars: Dollars = Decimal(100)
    tlh_min_loss_pct: Percent = Decimal(5)


class TaxRates(Strict):
    short_term: Percent = Decimal(24)
    long_term: Percent = Decimal(15)


class PortfolioSection(Strict):
    cash_reserve: Dollars = Decimal(0)
    cash: Dollars | None = None  # only for account mode "manual"


class ManualHolding(Strict):
    shares: Annotated[Decimal, Field(ge=0)]
    avg_cost: Annotated[Decimal, Field(ge=0)]
    current_price: Annotated[Decimal, Field(gt=0)]


class ExecutionSection(Strict):
    plan_ttl_minutes: Annotated[Count, Field(ge=1, le=10080)] = 60
    max_price_move_pct: PositivePercent = Decimal(2)
    max_order_dollars: Annotated[Decimal, Field(gt=0, le=Decimal("1e12"))] = Decimal(10000)
    max_session_dollars: Annotated[Decimal, Field(gt=0, le=Decimal("1e12"))] = Decimal(50000)
    fill_timeout_seconds: Annotated[float, Field(ge=0, le=3600)] = 60.0
    poll_interval_seconds: Annotated[float, Field(gt=0, le=60)] = 0.5
    cash_tolerance_dollars: Dollars = Decimal(1)
    buy_buffer_pct: Annotated[Decimal, Field(ge=0, le=20)] = Decimal("2.5")
    # Orders are marketable limit orders this far from the reference price (README: the collar).
    order_type: Literal["limit", "market"] = "limit"
    price_collar_pct: Annotated[Decimal, Field(gt=0, le=20)] = Decimal(1)


class MarketDataSection(Strict):
    # A price is traded on only when the latest trade and the quote midpoint agree with it
    # within this band, and it moved less than max_move_pct from the previous close and
    # the last stored price (unless a split or dividend explains it): see trader.core.price_check.
    max_source_disagreement_pct: Annotated[Decimal, Field(gt=0, le=50)] = Decimal(5)
    max_move_pct: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(100)


class BrokerSection(Strict):
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    max_retries: Annotated[Count, Field(ge=0, le=10)] = 3
    data_feed: Literal["auto", "iex", "sip", "delayed_sip"] = "auto"


class SimSection(Strict):
    scenario: str = "default"


class TelegramSection(Strict):
    allow_live_approval: Switch = False
    # The Bot API server: Telegram's, or one you run yourself (the local Bot API server).
    api_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")] = (
        "https://api.telegram.org"
    )
    poll_timeout_seconds: Annotated[Count, Field(ge=0, le=50)] = 50


class Settings(Strict):
    account: Literal["sim", "paper", "live", "manual"] = "sim"
    allow_live_trading: Switch = False
    target_allocation: dict[CategoryName, Percent] = Field(default_factory=dict)
    categories: dict[CategoryName, list[Symbol]] = Field(default_factory=dict)
    # Holdings the plans leave alone: out of the investable value, never traded.
    unmanaged: list[Symbol] = Field(default_factory=list)
    leverage: dict[Symbol, Annotated[Decimal, Field(gt=0, le=10)]] = Field(default_factory=dict)
    rebalancing: Rebalancing = Field(default_factory=Rebalancing)
    risk_management: RiskManagement = Field(default_factory=RiskManagement)
    portfolio: PortfolioSection = Field(default_factory=PortfolioSection)
    current_holdings: dict[Symbol, ManualHolding] = Field(default_factory=dict)
    auto_execute: Switch = False
    scores_file: str | None = None
    scores_max_age_days: Annotated[Count, Field(ge=0, le=3650)] = 7
    tax_equivalents: dict[Symbol, list[Symbol]] = Field(default_factory=dict)
    tax_rates: TaxRates = Field(default_factory=TaxRates)
    execution: ExecutionSection = Field(default_factory=ExecutionSection)
    market_data: MarketDataSection = Field(default_factory=MarketDataSection)
    broker: BrokerSection = Field(default_factory=BrokerSection)
    sim: SimSection = Field(default_factory=SimSection)
    telegram: TelegramSection = Field(default_factory=TelegramSection)
    reports_dir: str = "paper_logs"


Problem = tuple[tuple[str | int, ...], str]


def consistency_problems(settings: Settings) -> list[Problem]:
    """Checks that relate several keys the engine's policy does not hold (symbols it
    cannot trade, tax equivalents, execution limits, the manual account); each problem
    names the key path to blame. The allocation's own rules (targets summing to 100,
    categories and their symbols, the position and leveraged caps) live once, in
    ``trader.core.policy.Policy``, which the loader builds from the config."""
    problems: list[Problem] = []
    for category, symbols in settings.categories.items():
        for index, symbol in enumerate(symbols):
            if symbol_class(symbol) == CRYPTO:  # option symbols fail the name check already
                problems.append(
                    (
                        ("categories", category, index),
                        f"{symbol} is a crypto pair: trader rebalances US stocks and ETFs only",
                    )
                )
    for symbol, others in settings.tax_equivalents.items():
        for index, other in enumerate(others):
            if other == symbol:
                problems.append(
                    (("tax_equivalents", symbol, index), f"{symbol} cannot replace itself")
                )
    owners = {s: c for c, symbols in settings.categories.items() for s in symbols}
    for index, symbol in enumerate(settings.unmanaged):
        if symbol in owners:
            problems.append(
                (
                    ("unmanaged", index),
                    f"{symbol} is in categories.{owners[symbol]}: a symbol is managed by its "
                    f"category or unmanaged, not both",
                )
            )
    execution = settings.execution
    if execution.max_order_dollars > execution.max_session_dollars:
        problems.append(
            (
                ("execution", "max_order_dollars"),
                f"{execution.max_order_dollars} is above max_session_dollars "
                f"({execution.max_session_dollars})",
            )
        )
    if settings.account == "manual" and settings.portfolio.cash is None:
        problems.append((("portfolio",), "account 'manual' needs portfolio.cash"))
    if settings.account != "manual" and settings.current_holdings:
        problems.append(
            (("current_holdings",), "current_holdings is only read with account: manual")
        )
    return problems
