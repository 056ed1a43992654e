"""Rendering domain values for people (rich tables) and for programs (JSON with decimal strings)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from trader.core.money import ZERO, cents, dollars, plain

if TYPE_CHECKING:
    from trader.core.domain import AccountSnapshot

money = dollars  # one money format everywhere: -$1,234.57


def add_columns(
    table: Table, names: Iterable[str], *, left: Collection[str] = (), wrap: Collection[str] = ()
) -> None:
    """Columns that read on any terminal, 80 columns included. A figure (a column in
    neither set) is right-aligned and a name in ``left`` (a symbol, a side, a status)
    left-aligned, both never cut, wrapped or ellipsised; the text in ``wrap`` (a category,
    a reason, a note) takes the width left and wraps in it, a word too long folded."""
    for name in names:
        if name in wrap:
            table.add_column(name, justify="left", overflow="fold")
        else:
            table.add_column(name, justify="left" if name in left else "right", no_wrap=True)


@contextmanager
def working(console: Console, message: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner with ``message`` while a slow step runs, on a terminal only: nothing
    when output goes to a file or a pipe, or with ``quiet`` (``--json``)."""
    if quiet or not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


def pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}%"


def holdings_rows(snapshot: AccountSnapshot) -> list[dict[str, Any]]:
    rows = []
    for p in snapshot.positions:
        weight = weight_of(p.market_value, snapshot)
        rows.append(
            {
                "symbol": p.symbol,
                "qty": p.qty,
                "price": p.current_price,
                "value": p.market_value,
                "weight_pct": weight,
                "avg_entry_price": p.avg_entry_price,
                "unrealized_pl": p.unrealized_pl,
            }
        )
    return rows


def weight_of(value: Decimal, snapshot: AccountSnapshot) -> Decimal:
    """``value`` as a percent of the account's equity (zero when there is no equity)."""
    equity = snapshot.account.equity
    return value / equity * 100 if equity > ZERO else ZERO


def other_value(snapshot: AccountSnapshot) -> Decimal:
    """What the equity holds besides the cash and the positions ``trader`` manages (the
    positions it does not trade, such as crypto or options)."""
    held = sum((p.market_value for p in snapshot.positions), ZERO)
    return snapshot.account.equity - snapshot.account.cash - held


def holdings_table(snapshot: AccountSnapshot) -> Table:
    """The positions, then the cash (and what else the equity holds), so that the weights
    add up to 100."""
    table = Table(title="Holdings (weight: percent of the equity)", title_justify="left")
    add_columns(
        table, ("Symbol", "Qty", "Price", "Value", "Weight", "Unrealized P&L"), left={"Symbol"}
    )
    rows = holdings_rows(snapshot)
    for index, row in enumerate(rows):
        pl = row["unrealized_pl"]
        colour = "green" if pl > 0 else "red" if pl < 0 else ""
        table.add_row(
            row["symbol"],
            plain(row["qty"]),
            money(row["price"]),
            money(row["value"]),
            pct(row["weight_pct"]),
            f"[{colour}]{money(pl)}[/]" if colour else money(pl),
            end_section=index == len(rows) - 1,
        )
    cash = snapshot.account.cash
    table.add_row("cash", "", "", money(cash), pct(weight_of(cash, snapshot)), "")
    other = other_value(snapshot)
    if abs(other) >= Decimal("0.005"):
        table.add_row("not managed", "", "", money(other), pct(weight_of(other, snapshot)), "")
    return table


QTY_PLACES = Decimal("0.000000001")
MONEY_FIELDS = ("price", "value", "avg_entry_price", "unrealized_pl")


def json_money(value: Decimal) -> str:
    """Money in JSON, as in the plan's: half-even to the cent, two places."""
    return f"{cents(value):.2f}"


def json_pct(value: Decimal) -> str:
    """A percentage in JSON, as in the plan's: two places."""
    return f"{value.quantize(Decimal('0.01')):.2f}"


def json_qty(value: Decimal) -> str:
    """A quantity in JSON: at most 9 decimal places (Alpaca's own precision)."""
    return plain(value.quantize(QTY_PLACES))


def holdings_json(snapshot: AccountSnapshot) -> list[dict[str, Any]]:
    """``holdings_rows`` rounded for JSON: money to cents, weights to 2 places."""
    rows = []
    for row in holdings_rows(snapshot):
        rounded = dict(row, qty=json_qty(row["qty"]), weight_pct=json_pct(row["weight_pct"]))
        rounded.update({name: json_money(row[name]) for name in MONEY_FIELDS})
        rows.append(rounded)
    return rows


def to_json_value(value: Any) -> Any:
    """Decimals become strings (money to the cent where it is money is the caller's choice)."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
