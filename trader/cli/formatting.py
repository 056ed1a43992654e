"""Rendering domain values for people (rich tables) and for programs (JSON with decimal strings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.table import Table

from trader.core.domain import AccountSnapshot
from trader.core.money import ZERO, dollars, plain

money = dollars  # one money format everywhere: -$1,234.57


def pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}%"


def holdings_rows(snapshot: AccountSnapshot) -> list[dict[str, Any]]:
    equity = snapshot.account.equity
    rows = []
    for p in snapshot.positions:
        weight = p.market_value / equity * 100 if equity > ZERO else ZERO
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


def holdings_table(snapshot: AccountSnapshot) -> Table:
    table = Table(title="Holdings", title_justify="left")
    for name in ("Symbol", "Qty", "Price", "Value", "Weight", "Unrealized P&L"):
        table.add_column(name, justify="left" if name == "Symbol" else "right")
    for row in holdings_rows(snapshot):
        pl = row["unrealized_pl"]
        colour = "green" if pl > 0 else "red" if pl < 0 else ""
        table.add_row(
            row["symbol"],
            plain(row["qty"]),
            money(row["price"]),
            money(row["value"]),
            pct(row["weight_pct"]),
            f"[{colour}]{money(pl)}[/]" if colour else money(pl),
        )
    return table


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
