"""Cash-flow rebalancing: new cash fixes drift with buys alone, a withdrawal with sells alone.

Every percentage is of the investable value, so the dollars below target always add up
to the dollars above target plus the cash above the reserve: buys alone can spend all
that cash without taking any category past its target, and sells alone can raise a
withdrawal without taking any category below it.

The plan's :class:`CashFlow` changes the account the plan is made for: a deposit not yet
arrived is counted as cash, and a withdrawal is kept in cash beside the reserve, so that
every target is a share of what stays invested.

Two one-way plans, each sharing out an amount among categories with :func:`share_out`:

- **invest** (buys only): the cash above the reserve (and above the ``cash`` category's
  target, when there is one, less the buy buffer) goes to the categories under target, the
  most underweight first: each is bought up to a common shortfall, the level found
  exactly. A category whose share would be under ``min_trade_dollars`` gets none and its
  share goes to the others; at most ``max_trades_per_session`` categories buy (the most
  underweight); no share takes its symbol past the position or leveraged caps;
  categories that cannot be bought now (a wash-sale window, a trailing stop, no price)
  are left out, with the reason. Cash the trade cap or the caps keep from the others is
  then shared evenly among the categories bought, past their targets, but never further
  above target than a category was below it, nor beyond its band.
- **raise** (sells only): what a withdrawal needs beyond the cash above the reserve comes
  from the categories over target, the most overweight first, down to a common excess.

:func:`plan_kind` decides, by the policy's ``cash_flow`` mode, whether the plan is one of
these, the full rebalance, or nothing; the planner tries the one-way plan first under
``prefer`` and keeps it only when it leaves every category within its band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from trader.core.engine.allocation import Allocation, AllocationRow
from trader.core.engine.targets import buy_symbol, cannot_buy
from trader.core.money import CENT, ZERO, dollars
from trader.core.policy import (
    CASH_CATEGORY,
    HUNDRED,
    CashFlowMode,
    Policy,
    Portfolio,
    RebalanceMethod,
)


@dataclass(frozen=True, slots=True)
class CashFlow:
    """Cash the plan is asked to handle: a deposit on its way in, or a withdrawal to raise;
    and ``set_aside``, a withdrawal raised earlier that has not left the account yet: kept
    beside the reserve too, but not a cash flow of this plan (it decides no plan kind)."""

    deposit: Decimal = ZERO
    withdrawal: Decimal = ZERO
    set_aside: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("deposit", "withdrawal", "set_aside"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < ZERO:
                raise ValueError(f"{name}: {value} is not an amount of dollars")
        if self.deposit and self.withdrawal:
            raise ValueError("a plan takes a deposit or a withdrawal, not both")

    @property
    def given(self) -> bool:
        return bool(self.deposit or self.withdrawal)

    def applied(self, policy: Policy, portfolio: Portfolio) -> tuple[Policy, Portfolio]:
        """The policy and portfolio the plan is made for: the deposit in cash, the
        withdrawal and the one set aside kept beside the reserve (so the budget of the trades
        leaves them)."""
        if self.withdrawal or self.set_aside:
            kept = self.withdrawal + self.set_aside
            policy = replace(policy, cash_reserve=policy.cash_reserve + kept)
        if self.deposit:
            portfolio = replace(portfolio, cash=portfolio.cash + self.deposit)
        return policy, portfolio


NO_CASH_FLOW = CashFlow()


class PlanKind(StrEnum):
    """What sort of plan the engine made."""

    NONE = "none"  # no rebalance due (trailing stops and harvests may still trade)
    FULL = "full"  # the rebalance the method decides: sells and buys back to target
    BUY_ONLY = "buy_only"  # buys only, with the cash above the reserve
    SELL_ONLY = "sell_only"  # sells only, raising a withdrawal


@dataclass(frozen=True, slots=True)
class CashFlowOutcome:
    """How the plan treated cash flows: the mode, the kind of plan it made and why."""

    mode: CashFlowMode = CashFlowMode.FULL
    kind: PlanKind = PlanKind.NONE
    deposit: Decimal = ZERO
    withdrawal: Decimal = ZERO
    reason: str = ""
    notes: tuple[str, ...] = ()
    set_aside: Decimal = ZERO  # an earlier withdrawal kept in cash until it leaves

    def __post_init__(self) -> None:
        if self.deposit < ZERO or self.withdrawal < ZERO or self.set_aside < ZERO:
            raise ValueError("a deposit or withdrawal is not negative")


def plan_kind(
    policy: Policy, cash_flow: CashFlow, *, due: bool, stops: list[str]
) -> tuple[PlanKind | None, str]:
    """The kind of plan to make, and why; ``None`` means: try the one-way plan and keep it
    only if it leaves every category within its band (``prefer``).

    ``due`` is the method's decision (a band broken, the calendar's day); ``stops`` the
    symbols whose trailing stop fired.
    """
    one_way = one_way_kind(cash_flow)
    mode = policy.cash_flow
    if mode is CashFlowMode.BUY_ONLY:
        return one_way, (
            "it sells only what the withdrawal needs, never to rebalance"
            if one_way is PlanKind.SELL_ONLY
            else "it never sells to rebalance"
        )
    if mode is CashFlowMode.FULL:
        if due:
            return PlanKind.FULL, ""
        if cash_flow.given and not stops:
            return one_way, "no rebalance is due: the cash flow alone is planned"
        return PlanKind.NONE, ""
    if not (due or cash_flow.given):
        return PlanKind.NONE, ""
    if stops:
        return PlanKind.FULL, (
            f"{', '.join(stops)} hit {'its' if len(stops) == 1 else 'their'} trailing stop: "
            f"the plan sells, so it is the full rebalance"
        )
    if due and policy.method is RebalanceMethod.CALENDAR:
        return PlanKind.FULL, "the calendar's check day rebalances every category back to target"
    return None, ""


def one_way_kind(cash_flow: CashFlow) -> PlanKind:
    """Sells only for a withdrawal; buys only otherwise."""
    return PlanKind.SELL_ONLY if cash_flow.withdrawal else PlanKind.BUY_ONLY


# -- sharing an amount out -----------------------------------------------------------------------
def level(gaps: Mapping[str, Decimal], amount: Decimal) -> dict[str, Decimal]:
    """Share ``amount`` among ``gaps`` so that the largest gap left is as small as can be.

    Each name gets ``max(gap - level, 0)``, the level found exactly; with ``amount`` at or
    above the gaps' sum, each gets its whole gap.
    """
    names = sorted(gaps, key=lambda name: (-gaps[name], name))
    total = sum(gaps.values(), ZERO)
    if amount >= total:
        return dict(gaps)
    if amount <= ZERO:
        return dict.fromkeys(names, ZERO)
    # Fill the k largest gaps down to one level, for the smallest k whose level is at or
    # above the next gap (so that gap is untouched).
    running = ZERO
    found = ZERO
    for k, name in enumerate(names, 1):
        running += gaps[name]
        found = (running - amount) / k
        following = gaps[names[k]] if k < len(names) else ZERO
        if found >= following:
            break
    return {name: max(gaps[name] - found, ZERO) for name in names}


def share_out(
    gaps: Mapping[str, Decimal],
    amount: Decimal,
    min_trade: Decimal,
    max_orders: int | None,
    *,
    must_cover: bool = False,
) -> dict[str, Decimal]:
    """:func:`level`, within the minimum trade and the trade cap: the names with the largest
    gaps trade (at most ``max_orders``), and a name whose share would be under
    ``min_trade`` gets none, its share going to the others. ``must_cover``: the amount
    has to be found (a withdrawal), so no name is left out when the others' gaps cannot
    cover it. Returns the positive shares only."""
    chosen = sorted((n for n in gaps if gaps[n] > ZERO), key=lambda n: (-gaps[n], n))
    if max_orders is not None and len(chosen) > max_orders:
        rest = sum((gaps[n] for n in chosen[max_orders:]), ZERO)
        kept = sum((gaps[n] for n in chosen[:max_orders]), ZERO)
        if not (must_cover and kept < amount and rest):
            chosen = chosen[:max_orders]
    while True:
        shares = level({n: gaps[n] for n in chosen}, amount)
        smallest = chosen[-1] if chosen else None
        if smallest is None or not ZERO <= shares[smallest] < min_trade:
            return {n: s for n, s in shares.items() if s > ZERO}
        others = sum((gaps[n] for n in chosen[:-1]), ZERO)
        if must_cover and others < amount:
            return {n: s for n, s in shares.items() if s > ZERO}
        chosen.pop()


# -- invest: buys only ---------------------------------------------------------------------------
def cash_above_reserve(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> Decimal:
    """The cash above the reserve (and above the ``cash`` category's target, when there is
    one): what a buy-only plan invests."""
    spare = portfolio.cash - policy.cash_reserve
    for row in allocation.rows:
        if row.category == CASH_CATEGORY:
            spare -= row.target_value
    return max(spare, ZERO)


def cash_to_invest(policy: Policy, portfolio: Portfolio, allocation: Allocation) -> Decimal:
    """What the buys may spend: :func:`cash_above_reserve` less the buy buffer those buys
    keep in hand (``buy_buffer_pct`` of them), to the cent below."""
    spare = cash_above_reserve(policy, portfolio, allocation)
    if spare <= ZERO:
        return ZERO
    if policy.buy_buffer_pct:
        spare = (spare / (1 + policy.buy_buffer_pct / HUNDRED)).quantize(CENT, ROUND_FLOOR)
    return spare


@dataclass(frozen=True, slots=True)
class Investment:
    """What a buy-only plan buys per category (dollars): ``shares`` in all, of which
    ``past_target`` takes a category beyond its target; and the categories under target
    that get nothing, with why."""

    shares: Mapping[str, Decimal]
    past_target: Mapping[str, Decimal]
    left_out: Mapping[str, str]


def invest_shares(
    policy: Policy,
    portfolio: Portfolio,
    allocation: Allocation,
    blocked: Mapping[str, str],
    halted: Mapping[str, str],
) -> Investment:
    """Dollars to buy per category, in two passes.

    1. Toward the targets: the cash is levelled among the categories under target, the
       most underweight first (:func:`share_out`), each within its caps.
    2. The rest, when every category that pass buys has reached its target and cash is
       left (the trade cap or a cap kept it from the others): shared evenly, in points,
       among the categories already bought (no new order), each at most as far above its
       target as it was below it before (so it ends at least as close), within its band
       and its caps.
    """
    deficits: dict[str, Decimal] = {}
    rooms: dict[str, Decimal] = {}
    left_out: dict[str, str] = {}
    for row in allocation.rows:
        deficit = row.target_value - row.current_value
        if row.category == CASH_CATEGORY or deficit <= ZERO:
            continue
        why = cannot_buy(policy, portfolio, row.category, blocked, halted)
        if why is not None:
            left_out[row.category] = why
            continue
        symbol = buy_symbol(policy, portfolio, row.category, frozenset(blocked))
        assert symbol is not None  # cannot_buy said there is one
        deficits[row.category] = deficit
        rooms[row.category] = cap_room(policy, portfolio, allocation.investable, symbol)
    gaps = {c: min(d, rooms[c]) for c, d in deficits.items() if min(d, rooms[c]) > ZERO}
    amount = cash_to_invest(policy, portfolio, allocation)
    cap = policy.max_trades_per_session
    shares = share_out(gaps, amount, policy.min_trade_dollars, cap)
    rest = amount - sum(shares.values(), ZERO)
    past: dict[str, Decimal] = {}
    if rest > ZERO and shares:
        rows = {row.category: row for row in allocation.rows}
        beyond = {}
        for category, bought in shares.items():
            band = allocation.investable * rows[category].band_pct / HUNDRED
            mirror = 2 * deficits[category] - bought  # as far above target as it was below
            beyond[category] = max(
                min(mirror, deficits[category] + band - bought, rooms[category] - bought), ZERO
            )
        past = {c: x for c, x in spread_evenly(beyond, rest).items() if x > ZERO}
        shares = {c: s + past.get(c, ZERO) for c, s in shares.items()}
    ranked = sorted(gaps, key=lambda c: (-gaps[c], c))
    for rank, category in enumerate(ranked):
        if category in shares or gaps[category] < policy.min_trade_dollars:
            continue  # bought, or too close to target for a trade of its own
        if cap is not None and rank >= cap:
            left_out[category] = (
                f"over max_trades_per_session ({cap}): a buy-only plan buys the most "
                f"underweight categories first"
            )
        else:
            left_out[category] = (
                f"a buy-only plan buys the most underweight categories first, and the share of "
                f"the cash left for '{category}' is under min_trade_dollars "
                f"({dollars(policy.min_trade_dollars)})"
            )
    return Investment(shares, past, left_out)


def spread_evenly(rooms: Mapping[str, Decimal], amount: Decimal) -> dict[str, Decimal]:
    """Share ``amount`` out in equal parts, each name taking at most its room: the smallest
    rooms fill first and what they cannot take goes evenly to the others."""
    found: dict[str, Decimal] = {}
    names = sorted(rooms, key=lambda name: (rooms[name], name))
    left = max(amount, ZERO)
    for index, name in enumerate(names):
        part = min(rooms[name], left / (len(names) - index))
        found[name] = part
        left -= part
    return found


def cap_room(policy: Policy, portfolio: Portfolio, investable: Decimal, symbol: str) -> Decimal:
    """How much more of ``symbol`` the position and leveraged caps allow."""
    holding = portfolio.holding(symbol)
    held = holding.value if holding is not None else ZERO
    room = investable * policy.max_single_position / HUNDRED - held
    multiple = policy.leverage.get(symbol)
    if multiple is not None:
        leveraged = [h for h in portfolio.holdings if h.symbol in policy.leverage]
        total = sum((h.value for h in leveraged), ZERO)
        room = min(room, investable * policy.max_leveraged_total / HUNDRED - total)
        if policy.max_leveraged_exposure is not None:
            exposure = sum((h.value * policy.leverage[h.symbol] for h in leveraged), ZERO)
            limit = investable * policy.max_leveraged_exposure / HUNDRED
            room = min(room, (limit - exposure) / multiple)
    return max(room, ZERO)


def invest_reason(row: AllocationRow, past_target: Decimal, investable: Decimal) -> str:
    why = (
        f"{_where(row)}, {_points(-row.drift_pct)} points under: a buy-only plan spends the "
        f"cash above the reserve on the most underweight categories first"
    )
    if past_target.quantize(CENT) > ZERO:  # a clause of $0.00 says nothing
        points = past_target / investable * HUNDRED
        shown = f" ({_points(points)} points)" if points.quantize(CENT) > ZERO else ""
        why += (
            f"; it also takes {dollars(past_target)}{shown} past its target, cash "
            f"the trade cap or the caps keep from the other categories"
        )
    return why


# -- raise: sells only ---------------------------------------------------------------------------
def cash_to_raise(policy: Policy, portfolio: Portfolio) -> Decimal:
    """What the sells must bring in: the reserve and the withdrawal, less the cash there."""
    return max(policy.cash_reserve - portfolio.cash, ZERO)


def raise_shares(
    policy: Policy, portfolio: Portfolio, allocation: Allocation
) -> dict[str, Decimal]:
    """Dollars to sell per category to raise the withdrawal, the most overweight first."""
    gaps = {
        row.category: row.current_value - row.target_value
        for row in allocation.rows
        if row.category != CASH_CATEGORY and row.current_value > row.target_value
    }
    amount = cash_to_raise(policy, portfolio)
    return share_out(
        gaps,
        amount,
        policy.min_trade_dollars,
        policy.max_trades_per_session,
        must_cover=True,
    )


def raise_reason(row: AllocationRow, withdrawal: Decimal) -> str:
    return (
        f"{_where(row)}, {_points(row.drift_pct)} points over once {dollars(withdrawal)} is "
        f"withdrawn: sold to raise it, the most overweight categories first"
    )


# -- whether the one-way plan is enough ----------------------------------------------------------
def not_enough(kind: PlanKind, after: tuple[AllocationRow, ...]) -> str:
    """Why the one-way plan is not enough: the categories it leaves out of band."""
    alone = "buys alone" if kind is PlanKind.BUY_ONLY else "the withdrawal's sells alone"
    problems = []
    for row in after:
        if not row.out_of_band:
            continue
        above = row.drift_pct > ZERO
        side = "above" if above else "below"
        if row.category == CASH_CATEGORY:  # a sale raises cash, a buy spends it
            fix = "only a buy brings it back" if above else "only a sale brings it back"
        elif above:
            fix = "only a sale brings it back"
        elif kind is PlanKind.BUY_ONLY:
            fix = "the cash above the reserve does not bring it back"
        else:
            fix = "only a buy brings it back"
        problems.append(
            f"{row.category} would stay {_points(abs(row.drift_pct))} points {side} target, "
            f"beyond its {_points(row.band_pct)}-point band ({fix})"
        )
    return f"{alone} are not enough: {'; '.join(problems)}; so the plan is the full rebalance"


def _where(row: AllocationRow) -> str:
    return (
        f"{row.category} at {row.current_pct.quantize(CENT)}% against its "
        f"{row.target_pct.quantize(CENT)}% target"
    )


def _points(value: Decimal) -> str:
    return f"{value.quantize(CENT)}"
