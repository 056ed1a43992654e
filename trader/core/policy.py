"""What the rebalancing engine is given: the user's policy and the portfolio it applies to.

A :class:`Policy` is the allocation and the rules, already parsed (the config layer
builds one from ``portfolio_allocation.yaml``); a :class:`Portfolio` is the account
as the engine sees it: cash, holdings with their prices, and what else the plan
may need (a price for every symbol it might buy, optional scores, whether the
calendar says a check is due).

Every percentage here is of the **investable value** — total equity minus the cash
reserve — so that targets summing to 100 are reachable while the reserve is kept,
and so that targets and risk caps speak in one unit.

Both values check themselves: a broken policy raises ``ValueError`` with a message
that names the key, never a half-valid value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Never

from trader.core.lots import Lot
from trader.core.money import ZERO, to_decimal
from trader.core.wash import WashWindows

HUNDRED = Decimal(100)
CASH_CATEGORY = "cash"

# A problem of a policy: the field it is about (with the keys below it, such as
# ``("categories", "bonds", 1)``) and what is wrong.
Problem = tuple[tuple[str | int, ...], str]


class PolicyError(ValueError):
    """Every rule a policy breaks that relates several of its fields, each with the field
    (and the keys below it) to blame; the config loader maps those to the file's lines."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(
                f"{'.'.join(str(part) for part in path)}: {message}" for path, message in problems
            )
        )


class RebalanceMethod(StrEnum):
    THRESHOLD = "threshold"
    CALENDAR = "calendar"
    HYBRID = "hybrid"


class RebalanceTo(StrEnum):
    TARGET = "target"
    BAND_EDGE = "band_edge"


class CashFlowMode(StrEnum):
    """How a plan uses the cash that comes in or must go out (``engine.cash_flow``).

    ``full``: the rebalance the method decides, selling and buying back to target; a cash
    flow only changes the cash (with no rebalance due, it is invested or raised alone).
    ``buy_only``: never sell to rebalance: the cash above the reserve buys the most
    underweight categories, and a withdrawal sells only what it needs. ``prefer``: the
    cash flow alone when it brings every category within its band, else the full rebalance.
    """

    FULL = "full"
    BUY_ONLY = "buy_only"
    PREFER = "prefer"


# The one read-only empty map: most portfolios have no lots, peaks or scores, and a
# backtest builds a portfolio on every decision.
_EMPTY: Mapping[str, Never] = MappingProxyType({})
# Likewise no wash-sale windows: a WashWindows is frozen, so one serves every portfolio.
_NO_WINDOWS = WashWindows()


def _frozen_numbers(name: str, values: Mapping[str, object]) -> Mapping[str, Decimal]:
    if not values:
        return _EMPTY
    return MappingProxyType(
        {key: to_decimal(value, field=f"{name}.{key}") for key, value in values.items()}
    )


def _percent(name: str, value: Decimal, *, positive: bool = False) -> None:
    if value < ZERO or value > HUNDRED or (positive and value == ZERO):
        low = "above 0" if positive else "between 0"
        raise ValueError(f"{name}: {value} must be {low} and at most 100")


@dataclass(frozen=True, slots=True)
class Policy:
    """The target allocation and the rules a rebalance must keep."""

    target_allocation: Mapping[str, Decimal]
    categories: Mapping[str, tuple[str, ...]]
    leverage: Mapping[str, Decimal] = field(default_factory=dict)
    method: RebalanceMethod = RebalanceMethod.THRESHOLD
    drift_threshold: Decimal = Decimal(5)
    relative_threshold: Decimal | None = None
    rebalance_to: RebalanceTo = RebalanceTo.TARGET
    cash_flow: CashFlowMode = CashFlowMode.FULL
    min_trade_dollars: Decimal = ZERO
    max_trades_per_session: int | None = None
    fractional_shares: bool = True
    prefer_etfs_with_score_above: Decimal | None = None
    max_single_position: Decimal = HUNDRED
    max_leveraged_total: Decimal = HUNDRED
    max_leveraged_exposure: Decimal | None = None
    cash_reserve: Decimal = ZERO
    # Percent of each buy's value kept in hand beyond the reserve: a market buy fills at
    # the ask, and Alpaca checks it 2.5-4% above the price. Buys never borrow.
    buy_buffer_pct: Decimal = ZERO
    tax_loss_harvesting: bool = False
    tlh_min_loss_dollars: Decimal = Decimal(100)
    tlh_min_loss_pct: Decimal = Decimal(5)
    tax_equivalents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    short_term_tax_rate: Decimal = ZERO  # percent
    long_term_tax_rate: Decimal = ZERO  # percent
    trailing_stop: Decimal | None = None  # percent below the peak
    stop_reentry_days: int = 30  # a symbol a stop sold is not bought again for this long
    # Derived from categories (symbol -> category): category_of is on the backtest's hot path.
    owners: Mapping[str, str] = field(init=False, repr=False, compare=False)
    # Derived too (category -> band half width), once per policy rather than per decision;
    # left out of the input hash.
    bands: Mapping[str, Decimal] = field(
        init=False, repr=False, compare=False, metadata={"derived": True}
    )

    def __reduce__(self) -> tuple[object, tuple[dict[str, object]]]:
        """Pickled as its constructor's arguments (its read-only maps do not pickle), so a
        backtest can replay strategies in other processes."""
        args = {
            f.name: dict(value) if isinstance(value, Mapping) else value
            for f in fields(self)
            if f.init
            for value in (getattr(self, f.name),)
        }
        return (_policy_from, (args,))

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(
            self, "target_allocation", _frozen_numbers("target_allocation", self.target_allocation)
        )
        set_(
            self,
            "categories",
            MappingProxyType({name: tuple(symbols) for name, symbols in self.categories.items()}),
        )
        set_(self, "leverage", _frozen_numbers("leverage", self.leverage))
        set_(self, "method", RebalanceMethod(self.method))
        set_(self, "rebalance_to", RebalanceTo(self.rebalance_to))
        set_(self, "cash_flow", CashFlowMode(self.cash_flow))
        for name in ("drift_threshold", "min_trade_dollars", "max_single_position"):
            set_(self, name, to_decimal(getattr(self, name), field=name))
        for name in (
            "max_leveraged_total",
            "cash_reserve",
            "tlh_min_loss_dollars",
            "tlh_min_loss_pct",
            "short_term_tax_rate",
            "long_term_tax_rate",
        ):
            set_(self, name, to_decimal(getattr(self, name), field=name))
        set_(
            self,
            "tax_equivalents",
            MappingProxyType({s: tuple(e) for s, e in self.tax_equivalents.items()}),
        )
        for name in (
            "relative_threshold",
            "prefer_etfs_with_score_above",
            "max_leveraged_exposure",
            "trailing_stop",
        ):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, to_decimal(value, field=name))
        self._check_numbers()
        problems = self._check_categories()
        if not problems:  # the caps read the categories
            problems = self._check_caps()
        if problems:
            raise PolicyError(tuple(problems))
        set_(
            self,
            "owners",
            MappingProxyType(
                {s: c for c, symbols in self.categories.items() for s in reversed(symbols)}
            ),
        )
        set_(
            self,
            "bands",
            MappingProxyType({c: self._band(c) for c in self.target_allocation}),
        )

    def _check_numbers(self) -> None:
        _percent("drift_threshold", self.drift_threshold, positive=True)
        if self.relative_threshold is not None:
            _percent("relative_threshold", self.relative_threshold, positive=True)
        if self.prefer_etfs_with_score_above is not None:
            _percent("prefer_etfs_with_score_above", self.prefer_etfs_with_score_above)
        _percent("max_single_position", self.max_single_position, positive=True)
        _percent("max_leveraged_total", self.max_leveraged_total)
        if self.max_leveraged_exposure is not None:
            _percent("max_leveraged_exposure", self.max_leveraged_exposure)
        if not ZERO <= self.buy_buffer_pct < HUNDRED:
            raise ValueError(f"buy_buffer_pct: {self.buy_buffer_pct} is not a percent below 100")
        if self.min_trade_dollars < ZERO:
            raise ValueError(f"min_trade_dollars: {self.min_trade_dollars} is negative")
        if self.cash_reserve < ZERO:
            raise ValueError(f"cash_reserve: {self.cash_reserve} is negative")
        if self.tlh_min_loss_dollars < ZERO:
            raise ValueError(f"tlh_min_loss_dollars: {self.tlh_min_loss_dollars} is negative")
        _percent("tlh_min_loss_pct", self.tlh_min_loss_pct)
        _percent("short_term_tax_rate", self.short_term_tax_rate)
        _percent("long_term_tax_rate", self.long_term_tax_rate)
        if self.trailing_stop is not None and not ZERO < self.trailing_stop < HUNDRED:
            raise ValueError(f"trailing_stop: {self.trailing_stop} must be between 0 and 100")
        days = self.stop_reentry_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(
                f"stop_reentry_days: {days!r} must be a whole number of days, 0 or more"
            )
        trades = self.max_trades_per_session
        if trades is not None and (isinstance(trades, bool) or not isinstance(trades, int)):
            raise ValueError(f"max_trades_per_session: {trades!r} is not a whole number")
        if trades is not None and trades < 1:
            raise ValueError(f"max_trades_per_session: {trades} must be at least 1")
        for symbol, multiple in self.leverage.items():
            if multiple <= ZERO:
                raise ValueError(f"leverage.{symbol}: multiple {multiple} must be positive")

    def _check_categories(self) -> list[Problem]:
        problems: list[Problem] = []
        targets = self.target_allocation
        if not targets:
            return [(("target_allocation",), "target_allocation is empty")]
        for category, target in targets.items():
            _percent(f"target_allocation.{category}", target)
        total = sum(targets.values(), ZERO)
        if total != HUNDRED:
            problems.append((("target_allocation",), f"targets sum to {total}, not 100"))
        owner: dict[str, str] = {}
        for category, symbols in self.categories.items():
            if category == CASH_CATEGORY:
                if symbols:
                    problems.append(
                        (("categories", category), "the cash category holds no symbols")
                    )
                continue
            if category not in targets:
                problems.append(
                    (
                        ("categories", category),
                        f"category '{category}' has no target under target_allocation",
                    )
                )
            if not symbols:
                problems.append(
                    (("categories", category), f"category '{category}' lists no symbols")
                )
            for index, symbol in enumerate(symbols):
                if not symbol:
                    problems.append((("categories", category, index), "empty symbol"))
                elif symbol in owner:
                    problems.append(
                        (
                            ("categories", category, index),
                            f"{symbol} is in both '{owner[symbol]}' and '{category}'",
                        )
                    )
                owner.setdefault(symbol, category)
        for category in targets:
            if category != CASH_CATEGORY and not self.categories.get(category):
                problems.append(
                    (
                        ("target_allocation", category),
                        f"category '{category}' has no symbols under categories",
                    )
                )
        return problems

    def _check_caps(self) -> list[Problem]:
        problems: list[Problem] = []
        for category, target in self.target_allocation.items():
            if category != CASH_CATEGORY and target > self.max_single_position:
                problems.append(
                    (
                        ("target_allocation", category),
                        f"target {target}% is above max_single_position "
                        f"({self.max_single_position}%): buys go to one symbol",
                    )
                )
        leveraged = sum(
            (t for c, t in self.target_allocation.items() if self.leverage_of_category(c)),
            ZERO,
        )
        if leveraged > self.max_leveraged_total:
            problems.append(
                (
                    ("max_leveraged_total",),
                    f"leveraged categories are targeted at {leveraged}%, "
                    f"above this cap of {self.max_leveraged_total}%",
                )
            )
        if self.max_leveraged_exposure is not None:
            exposure = sum(
                (t * self.leverage_of_category(c) for c, t in self.target_allocation.items()),
                ZERO,
            )
            if exposure > self.max_leveraged_exposure:
                problems.append(
                    (
                        ("max_leveraged_exposure",),
                        f"the targets alone give {exposure}% leveraged exposure (weight "
                        f"times multiple), above this cap of {self.max_leveraged_exposure}%",
                    )
                )
        return problems

    def category_of(self, symbol: str) -> str | None:
        """The category a symbol belongs to, or None when it is in none."""
        return self.owners.get(symbol)

    def leverage_of_category(self, category: str) -> Decimal:
        """The largest leverage multiple among a category's symbols; zero when none is leveraged."""
        multiples = [
            self.leverage[s] for s in self.categories.get(category, ()) if s in self.leverage
        ]
        return max(multiples, default=ZERO)

    def equivalents_of(self, symbol: str) -> tuple[str, ...]:
        """What a harvest of ``symbol`` may buy instead: its category's other symbols, in
        order, then its ``tax_equivalents``."""
        category = self.category_of(symbol)
        peers = [s for s in self.categories.get(category, ()) if s != symbol] if category else []
        extra = [s for s in self.tax_equivalents.get(symbol, ()) if s not in peers and s != symbol]
        return (*peers, *extra)

    def band_half_width(self, category: str) -> Decimal:
        """How far, in percentage points, a category may drift before it is out of band.

        With a relative threshold too, the narrower band wins: whichever is hit first.
        """
        width = self.bands.get(category)
        return self._band(category) if width is None else width

    def _band(self, category: str) -> Decimal:
        width = self.drift_threshold
        if self.relative_threshold is not None:
            relative = self.target_allocation[category] * self.relative_threshold / HUNDRED
            width = min(width, relative)
        return width


@dataclass(frozen=True, slots=True)
class Holding:
    """One symbol of the account: shares held (may be zero: a price to buy at), price, cost."""

    symbol: str
    qty: Decimal
    price: Decimal
    avg_cost: Decimal = ZERO
    fractionable: bool = True

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ValueError("holding needs a symbol")
        for name in ("qty", "price", "avg_cost"):
            object.__setattr__(
                self, name, to_decimal(getattr(self, name), field=f"{self.symbol}.{name}")
            )
        if self.qty < ZERO:
            raise ValueError(f"{self.symbol}: negative quantity {self.qty}")
        if self.price <= ZERO:
            raise ValueError(f"{self.symbol}: price {self.price} must be positive")
        if self.avg_cost < ZERO:
            raise ValueError(f"{self.symbol}: negative average cost {self.avg_cost}")

    @property
    def value(self) -> Decimal:
        return self.qty * self.price


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The account as the engine sees it."""

    cash: Decimal
    holdings: tuple[Holding, ...] = ()
    scores: Mapping[str, Decimal] = field(default_factory=dict)
    calendar_due: bool = False
    today: date | None = None  # the market's date; lots, windows and stops need it
    lots: Mapping[str, tuple[Lot, ...]] = field(default_factory=dict)
    wash: WashWindows = _NO_WINDOWS
    peaks: Mapping[str, Decimal] = field(default_factory=dict)  # highest price since bought
    # Category symbols with no price, and why ("unknown symbol FOOBAR"): the review says so.
    unavailable: Mapping[str, str] = field(default_factory=dict)
    stopped: Mapping[str, date] = field(default_factory=dict)  # the day a stop last sold it
    # Each holding's price as a second source confirmed it, the only price a trailing stop
    # fires on (``trader.planning.stop_evidence``); None: every price is confirmed.
    confirmed: Mapping[str, Decimal] | None = None
    # Derived from holdings (symbol -> holding), for ``holding``; not part of the input hash.
    positions: Mapping[str, Holding] = field(
        init=False, repr=False, compare=False, metadata={"derived": True}
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "cash", to_decimal(self.cash, field="cash"))
        object.__setattr__(self, "lots", _frozen_lots(self.lots))
        object.__setattr__(self, "peaks", _frozen_numbers("peaks", self.peaks))
        object.__setattr__(self, "holdings", tuple(self.holdings))
        object.__setattr__(self, "scores", _frozen_numbers("scores", self.scores))
        object.__setattr__(self, "positions", _positions(self.holdings))
        object.__setattr__(self, "unavailable", MappingProxyType(dict(self.unavailable)))
        object.__setattr__(self, "stopped", MappingProxyType(dict(self.stopped)))
        if self.confirmed is not None:
            object.__setattr__(self, "confirmed", _frozen_numbers("confirmed", self.confirmed))
        for symbol, score in self.scores.items():
            _percent(f"scores.{symbol}", score)

    def holding(self, symbol: str) -> Holding | None:
        return self.positions.get(symbol)

    @property
    def positions_value(self) -> Decimal:
        return sum((h.value for h in self.holdings), ZERO)

    @property
    def equity(self) -> Decimal:
        return self.cash + self.positions_value


def _frozen_lots(lots: Mapping[str, tuple[Lot, ...]]) -> Mapping[str, tuple[Lot, ...]]:
    return MappingProxyType({s: tuple(v) for s, v in lots.items()}) if lots else _EMPTY


def _positions(holdings: tuple[Holding, ...]) -> Mapping[str, Holding]:
    """Symbol -> holding; a symbol listed twice is refused (which holding would count?)."""
    positions = {holding.symbol: holding for holding in holdings}
    if len(positions) < len(holdings):
        seen: set[str] = set()
        for holding in holdings:
            if holding.symbol in seen:
                raise ValueError(f"{holding.symbol} is listed twice")
            seen.add(holding.symbol)
    return MappingProxyType(positions)


def _policy_from(args: dict[str, object]) -> Policy:
    return Policy(**args)  # type: ignore[arg-type]
