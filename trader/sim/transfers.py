"""Cash leaving the sim account by a bank transfer: a CSW activity, as Alpaca books it."""

from __future__ import annotations

from decimal import Decimal

from trader.sim import trading_calendar as cal
from trader.sim.state import NonTradeActivity, SimState, activity_id


def withdraw(state: SimState, amount: Decimal) -> Decimal:
    """Take ``amount`` (positive, in cents) out of the cash; returns the cash left."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"withdrawal {amount}: expected a positive amount in cents")
    if amount > state.cash:
        raise ValueError(f"withdrawal {amount}: the account holds only {state.cash} in cash")
    state.cash -= amount
    state.non_trade.append(
        NonTradeActivity(
            id=activity_id(state.now, state.next_uuid("activity")),
            activity_type="CSW",
            activity_sub_type="",
            date=cal.local(state.now).date(),
            created_at=state.now,
            symbol="",
            net_amount=-amount,
            description="Cash withdrawal (ACH)",
            group_id="",
        )
    )
    return state.cash
