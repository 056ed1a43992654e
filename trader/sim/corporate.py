"""Corporate actions in the sim: stock splits and cash dividends, as Alpaca books them.

A **split** (``split``) takes effect at the open of its day:
- the position's shares are multiplied by ``new/old`` and its average entry price
  divided by it (the cost basis is unchanged); fractions are kept, as on an account
  with fractional trading;
- the price, and the closes recorded from that day on, are divided by the ratio;
- open orders of the symbol are cancelled (their prices are in the old shares);
- two ``SPLIT`` activities sharing a ``group_id`` record it, the old shares removed
  (negative ``qty``, old price) and the new ones added (positive ``qty``, new price),
  with a description in Alpaca's words ("From QTY:10, To QTY:20");
- bars asked with ``adjustment=split`` or ``all`` are divided by the ratio before the
  split's day; ``raw`` bars are left as they traded.

A split must come after the symbol's last fill (the sim does not rewrite trades) and
after the scenario's first day, and not in the future.

A **cash dividend** (``dividend``) pays ``per_share`` on the shares held into the cash
and records a ``DIV`` activity (sub-type ``CDIV``). Bars are not adjusted for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from trader.core.money import ZERO, cents, plain
from trader.sim import engine
from trader.sim import trading_calendar as cal
from trader.sim.assets import ASSETS
from trader.sim.state import NonTradeActivity, Position, SimSplit, SimState, activity_id

CENT = Decimal("0.01")
SUB_CENT = Decimal("0.0001")


def quote(price: Decimal) -> Decimal:
    """A price as Alpaca quotes it: whole cents from $1, four decimals below."""
    return price.quantize(CENT if price >= 1 else SUB_CENT)


def split_factor(splits: Iterable[SimSplit], symbol: str, day: date) -> Decimal:
    """What a price of ``day`` is divided by to be in today's shares."""
    factor = Decimal(1)
    for split in splits:
        if split.symbol == symbol and split.day > day:
            factor *= split.ratio
    return factor


def _check_day(state: SimState, symbol: str, day: date) -> None:
    today = cal.local(state.now).date()
    if day > today:
        raise ValueError(
            f"{symbol}: the split date {day} is after the sim's today ({today}); move the "
            f"clock to it first: trader sim clock --days {(day - today).days}"
        )
    if day <= state.anchor:
        # The first day's bars are the scenario's seed: a split is booked on a later day.
        move = (
            f"move the clock on first (trader sim clock --days {(state.anchor - today).days + 1})"
            f", then split without --date"
            if today <= state.anchor
            else f"give a --date after {state.anchor}"
        )
        raise ValueError(
            f"{symbol}: the split date {day} is not after the scenario's first day "
            f"({state.anchor}): {move}"
        )
    traded = [
        a.transaction_time
        for a in state.activities
        if a.symbol == symbol and cal.local(a.transaction_time).date() >= day
    ]
    if traded:
        last = cal.local(max(traded)).date()
        raise ValueError(
            f"{symbol} traded on {last}, on or after the split date {day}; a split must come "
            "after the symbol's last fill (move the clock on: trader sim clock --days 1)"
        )


def split(state: SimState, symbol: str, new: Decimal, old: Decimal, day: date) -> SimSplit:
    """``old`` shares of ``symbol`` become ``new`` at the open of ``day``."""
    if symbol not in ASSETS:
        raise ValueError(f"unknown symbol {symbol!r}")
    if new <= ZERO or old <= ZERO or new == old:
        raise ValueError(f"{symbol}: a split needs two different positive numbers, got {new}:{old}")
    _check_day(state, symbol, day)
    record = SimSplit(symbol, day, old, new)
    old_price = state.prices[symbol]
    new_price = quote(old_price / record.ratio)
    state.prices[symbol] = new_price
    for iso, closes in state.recorded_closes.items():
        if date.fromisoformat(iso) >= day and symbol in closes:
            closes[symbol] = quote(closes[symbol] / record.ratio)
    state.splits.append(record)
    for order in state.open_orders(symbol):
        engine.cancel(state, order)
    held = state.positions.get(symbol)
    if held is not None:
        qty = held.qty * record.ratio
        average = (held.avg_entry_price / record.ratio).quantize(engine.AVG_PRICE_STEP)
        state.positions[symbol] = Position(symbol, qty, average)
        _book_split(state, record, held.qty, qty, old_price, new_price)
    return record


def _book_split(
    state: SimState,
    record: SimSplit,
    old_qty: Decimal,
    new_qty: Decimal,
    old_price: Decimal,
    new_price: Decimal,
) -> None:
    sub_type = "FSPLIT" if record.new > record.old else "RSPLIT"
    group = state.next_uuid("split-group")
    value = cents(old_qty * old_price)
    legs = (("REMOVE", -old_qty, old_price), ("ADD", new_qty, new_price))
    for word, qty, price in legs:
        state.non_trade.append(
            NonTradeActivity(
                id=activity_id(state.now, state.next_uuid("activity")),
                activity_type="SPLIT",
                activity_sub_type=sub_type,
                date=record.day,
                created_at=state.now,
                symbol=record.symbol,
                net_amount=ZERO,
                description=(
                    f"{word}, From QTY:{plain(old_qty)}, To QTY:{plain(new_qty)}, "
                    f"Position Value:{value:.2f}"
                ),
                group_id=group,
                qty=qty,
                price=price,
            )
        )


def dividend(state: SimState, symbol: str, per_share: Decimal, day: date) -> Decimal:
    """Pay a cash dividend of ``per_share`` on the shares held; the amount paid."""
    held = state.positions.get(symbol)
    if symbol not in ASSETS:
        raise ValueError(f"unknown symbol {symbol!r}")
    if per_share <= ZERO:
        raise ValueError(f"{symbol}: a dividend per share must be positive, got {per_share}")
    if held is None:
        raise ValueError(f"{symbol}: not held, so no dividend is paid")
    amount = cents(held.qty * per_share)
    state.cash += amount
    state.non_trade.append(
        NonTradeActivity(
            id=activity_id(state.now, state.next_uuid("activity")),
            activity_type="DIV",
            activity_sub_type="CDIV",
            date=day,
            created_at=state.now,
            symbol=symbol,
            net_amount=amount,
            description=f"Cash DIV @ {plain(per_share)}, Pos QTY: {plain(held.qty)}",
            group_id="",
            qty=held.qty,
            per_share_amount=per_share,
        )
    )
    return amount
