"""What the engine is given, built from the config and the account.

The engine works on the **investable value** and on every symbol it might trade,
held or not; so the portfolio holds each position with its price and each symbol
of a category that is not held with a price of its own (zero shares), and says
which can only be traded in whole shares. Symbols the broker does not know, or
will not trade, are left out with a warning: the engine then treats their
category as one it cannot buy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from trader.core.domain import AccountSnapshot, Asset
from trader.core.money import ZERO, dollars
from trader.core.policy import Holding, Policy, Portfolio
from trader.errors import ConfigError
from trader.planning.working import COUNTED_TYPES
from trader.settings import Settings


def policy_from_settings(settings: Settings) -> Policy:
    """The engine's policy from the validated config."""
    try:
        return build_policy(settings)
    except ValueError as exc:
        # The loader checks all of this with line numbers; this is the last line of defence.
        raise ConfigError(f"config: {exc}") from None


def build_policy(settings: Settings) -> Policy:
    """The policy of the config; a ``PolicyError`` names every rule it breaks."""
    rebalancing = settings.rebalancing
    risk = settings.risk_management
    return Policy(
        target_allocation=settings.target_allocation,
        categories={name: tuple(symbols) for name, symbols in settings.categories.items()},
        leverage=settings.leverage,
        method=rebalancing.method,
        drift_threshold=rebalancing.drift_threshold,
        relative_threshold=rebalancing.relative_threshold,
        rebalance_to=rebalancing.rebalance_to,
        cash_flow=rebalancing.cash_flow,
        min_trade_dollars=rebalancing.min_trade_dollars,
        max_trades_per_session=rebalancing.max_trades_per_session,
        fractional_shares=rebalancing.fractional_shares,
        prefer_etfs_with_score_above=rebalancing.prefer_etfs_with_score_above,
        max_single_position=risk.max_single_position,
        max_leveraged_total=risk.max_leveraged_total,
        max_leveraged_exposure=risk.max_leveraged_exposure,
        cash_reserve=settings.portfolio.cash_reserve,
        buy_buffer_pct=settings.execution.buy_buffer_pct,
        tax_loss_harvesting=risk.tax_loss_harvesting,
        tlh_min_loss_dollars=risk.tlh_min_loss_dollars,
        tlh_min_loss_pct=risk.tlh_min_loss_pct,
        tax_equivalents=symmetric_equivalents(settings.tax_equivalents),
        short_term_tax_rate=settings.tax_rates.short_term,
        long_term_tax_rate=settings.tax_rates.long_term,
        trailing_stop=risk.trailing_stop if risk.trailing_stop_mode == "plan" else None,
        stop_reentry_days=risk.stop_reentry_days,
    )


def symmetric_equivalents(pairs: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """``XLE: [VDE]`` makes each a replacement for the other."""
    result: dict[str, list[str]] = {}
    for symbol, others in pairs.items():
        for other in others:
            result.setdefault(symbol, [])
            result.setdefault(other, [])
            if other not in result[symbol]:
                result[symbol].append(other)
            if symbol not in result[other]:
                result[other].append(symbol)
    return {symbol: tuple(others) for symbol, others in result.items()}


def categorised_symbols(settings: Settings) -> list[str]:
    """Every symbol named under ``categories``, in the config's order."""
    return [symbol for symbols in settings.categories.values() for symbol in symbols]


def without_unmanaged(portfolio: Portfolio, unmanaged: list[str]) -> tuple[Portfolio, list[str]]:
    """The portfolio without the holdings listed under ``unmanaged``: out of the investable
    value and never traded; and the warning that says what was left out."""
    left = [h for h in portfolio.holdings if h.symbol in set(unmanaged) and h.qty > ZERO]
    if not left:
        return portfolio, []
    kept = tuple(h for h in portfolio.holdings if h.symbol not in set(unmanaged))
    listed = ", ".join(f"{h.symbol} {dollars(h.value)}" for h in left)
    total = sum((h.value for h in left), ZERO)
    return replace(portfolio, holdings=kept), [
        f"left out of the plan (unmanaged): {listed}; {dollars(total)} in all, not in the "
        f"equity or the investable value, and never traded"
    ]


def manual_portfolio(settings: Settings) -> Portfolio:
    """The hand-kept account of ``account: manual``: ``current_holdings`` and ``portfolio.cash``.

    Symbols of a category that are not held have no price here, so the plan can only
    buy a category through a symbol listed (perhaps with zero shares) under
    ``current_holdings``.
    """
    cash = settings.portfolio.cash
    if cash is None:
        raise ConfigError("portfolio.cash: account 'manual' needs the cash it holds")
    holdings = tuple(
        Holding(symbol, held.shares, held.current_price, held.avg_cost)
        for symbol, held in settings.current_holdings.items()
    )
    return Portfolio(cash=cash, holdings=holdings)


def market_portfolio(
    policy: Policy,
    snapshot: AccountSnapshot,
    assets: Mapping[str, Asset],
    prices: Mapping[str, Decimal],
    *,
    calendar_due: bool = False,
    untrusted: Mapping[str, str] | None = None,
) -> tuple[Portfolio, list[str]]:
    """The synced account as the engine sees it, and the warnings met on the way.

    ``assets`` are the broker's records of the symbols (held or categorised) it knows;
    ``prices`` the latest trade prices of the categorised symbols that are not held;
    ``untrusted`` the symbols whose price failed the reference check, and why: one not
    held is left out like a symbol with no price (its category cannot buy it).
    """
    untrusted = untrusted or {}
    warnings: list[str] = []
    holdings: list[Holding] = []
    held: set[str] = set()
    for position in snapshot.positions:
        if position.qty < ZERO:
            warnings.append(
                f"{position.symbol}: a short position of {-position.qty} shares is not managed "
                f"by the plan"
            )
            continue
        if position.qty == ZERO or position.current_price <= ZERO:
            continue
        asset = assets.get(position.symbol)
        holdings.append(
            Holding(
                position.symbol,
                position.qty,
                position.current_price,
                position.avg_entry_price,
                fractionable=asset.fractionable if asset else False,
            )
        )
        held.add(position.symbol)
        if asset is not None and not asset.tradable:
            warnings.append(f"{position.symbol} is held but the broker does not trade it now")
    unavailable: dict[str, str] = {}
    for category, symbols in policy.categories.items():
        for symbol in symbols:
            if symbol in held:
                continue
            asset = assets.get(symbol)
            if asset is None:
                unavailable[symbol] = f"unknown symbol {symbol}"
                warnings.append(
                    f"unknown symbol {symbol} (categories.{category}): the broker does not "
                    f"know it, so it is not bought; check the symbol, or run `trader doctor`"
                )
            elif not asset.tradable or asset.status != "active":
                unavailable[symbol] = f"{symbol} is not tradable at the broker ({asset.status})"
                warnings.append(
                    f"{symbol}: not tradable at the broker (categories.{category}, "
                    f"{asset.status}); it is not bought"
                )
            elif symbol in untrusted:
                unavailable[symbol] = untrusted[symbol]
                warnings.append(f"categories.{category}: {untrusted[symbol]}; it is not bought")
            elif symbol not in prices:
                unavailable[symbol] = f"no price for {symbol}"
                warnings.append(f"categories.{category}: no price for {symbol}; it is not bought")
            else:
                holdings.append(
                    Holding(symbol, ZERO, prices[symbol], fractionable=asset.fractionable)
                )
    waiting = [o for o in snapshot.open_orders if o.order_type not in COUNTED_TYPES]
    if waiting:
        count = len(waiting)
        symbols = ", ".join(sorted({o.symbol for o in waiting}))
        warnings.append(
            f"{count} open stop order{'s' if count > 1 else ''} ({symbols}) not counted by "
            f"the plan: they may fire and sell"
        )
    portfolio = Portfolio(
        cash=snapshot.account.cash,
        holdings=tuple(holdings),
        calendar_due=calendar_due,
        unavailable=unavailable,
    )
    return portfolio, warnings
