"""The plan review as a person reads it: the allocation, then the trades, sells first.

Only formatting lives here; every figure comes from the plan itself.
"""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from trader.cli.formatting import add_columns, money, pct
from trader.core.domain import Side
from trader.core.engine import Action, Plan, PlanKind
from trader.core.money import ZERO, plain
from trader.core.policy import CASH_CATEGORY
from trader.planning.service import PlanOutcome

WIDE = 90  # columns from which the allocation shows the points of drift the plan removes
ACTION_STYLE = {Action.SELL: "bold red", Action.BUY: "bold green", Action.HOLD: "dim"}


def allocation_table(plan: Plan, *, width: int) -> Table:
    """The categories against their targets, and each after the plan (every order filled
    at its estimated price) with the points of drift the plan removes; then what completes
    the investable value: the cash above the reserve (unless a ``cash`` category holds it)
    and any holdings in no category, so the Current column sums to 100%. The reserve, and
    a deposit or withdrawal, are named below the table. On a terminal narrower than
    ``WIDE`` the points removed give way, so that a category's name has room."""
    reserve = plan.reserve
    flow = plan.cash_flow
    base = f"equity {money(plan.equity)}"
    if flow.deposit:
        base += f" plus the deposit {money(flow.deposit)} (not yet arrived)"
    base += f" less the cash reserve {money(reserve)}"
    if flow.withdrawal:
        base += f" and the withdrawal {money(flow.withdrawal)}"
    if flow.set_aside:
        base += f" and the withdrawal set aside {money(flow.set_aside)}"
    wide = width >= WIDE
    fixed = (
        "Fixed: points of drift the plan removes"
        if wide
        else "Fixed (the points of drift the plan removes): on a wider terminal, or with --json"
    )
    table = Table(
        title="Allocation (percent of the investable value)",
        title_justify="left",
        caption=f"Investable {money(plan.investable)} = {base}. After: once the plan's orders "
        f"fill at the estimated prices; {fixed}",
        caption_justify="left",
    )
    columns = ("Category", "Target", "Current", "Drift", "Band", "Action", "After", "Fixed")
    visible = len(columns) if wide else len(columns) - 1  # Fixed is the last
    add_columns(table, columns[:visible], wrap={"Category"})
    for row, after in zip(plan.allocation, plan.allocation_after, strict=True):
        style = ACTION_STYLE[row.action]
        drift = _signed(row.drift_pct)
        removed = abs(row.drift_pct) - abs(after.drift_pct)
        cells = (
            row.category,
            pct(row.target_pct),
            pct(row.current_pct),
            f"[{style}]{drift}[/]" if row.out_of_band else drift,
            f"±{pct(row.band_pct)}",
            f"[{style}]{_action_word(row)}[/]",
            pct(after.current_pct),
            _signed(removed)[:-1] if abs(removed) >= Decimal("0.005") else "",
        )
        table.add_row(*cells[:visible])
    if plan.investable > ZERO:
        shown = sum((row.current_pct for row in plan.allocation), ZERO)
        shown_after = sum((row.current_pct for row in plan.allocation_after), ZERO)
        rest: list[tuple[str, Decimal, Decimal]] = []
        if all(row.category != CASH_CATEGORY for row in plan.allocation):
            kept = reserve + flow.withdrawal + flow.set_aside
            now = plan.cash + flow.deposit - kept
            less = flow.withdrawal or flow.set_aside
            name = "cash above the reserve" + (", less the withdrawal" if less else "")
            rest.append(
                (
                    name,
                    now / plan.investable * 100,
                    (plan.cash_after - kept) / plan.investable * 100,
                )
            )
        in_no_category = 100 - shown - sum((value for _, value, _ in rest), ZERO)
        if abs(in_no_category) >= Decimal("0.005"):
            after_rest = 100 - shown_after - sum((value for _, _, value in rest), ZERO)
            rest.append(("(in no category)", in_no_category, after_rest))
        for name, value, value_after in rest:
            cells = (f"[dim]{name}[/]", "", pct(value), "", "", "", pct(value_after), "")
            table.add_row(*cells[:visible])
    return table


def _signed(value: Decimal) -> str:
    return f"{'+' if value > ZERO else ''}{pct(value)}"


def _action_word(row) -> str:  # an AllocationRow
    """What the row's action means; for the cash category, over target is cash to invest
    (the plan buys) and under target is cash to raise (it sells), not a sale of cash."""
    if row.category != CASH_CATEGORY:
        return row.action.value
    return {Action.SELL: "INVEST", Action.BUY: "RAISE"}.get(row.action, row.action.value)


def orders_table(plan: Plan, side: Side) -> Table | None:
    orders = [o for o in plan.orders if o.side is side]
    if not orders:
        return None
    colour = "red" if side is Side.SELL else "green"
    table = Table(title=f"[{colour}]{side.value.upper()}[/]", title_justify="left")
    columns = ["Symbol", "Qty", "Price", "Value", "Category"]
    if side is Side.SELL:
        columns.append("Est. P&L")
    add_columns(table, columns, left={"Symbol"}, wrap={"Category"})
    for order in orders:
        cells = [
            order.symbol,
            plain(order.qty),
            money(order.est_price),
            money(order.est_value),
            order.category,
        ]
        if side is Side.SELL:
            pl = order.est_realized_pl or ZERO
            style = "green" if pl > ZERO else "red" if pl < ZERO else ""
            shown = f"[{style}]{money(pl)}[/]" if style else money(pl)
            if order.est_washed is not None:
                shown += f" [yellow](washed {money(order.est_washed)})[/]"
            cells.append(shown)
        table.add_row(*cells)
    return table


def print_tax(console: Console, outcome: PlanOutcome) -> None:
    tax = outcome.plan.tax
    policy = outcome.policy
    if not outcome.plan.sells:
        return
    if not tax.lots_known:
        console.print("Tax effect: not estimated (no tax lots for every sale)")
        return
    line = (
        f"Estimated tax effect [dim](from the tax lots; an estimate, not tax advice)[/]: "
        f"short-term {money(tax.short_term_gains + tax.short_term_losses)}, "
        f"long-term {money(tax.long_term_gains + tax.long_term_losses)}; at "
        f"{plain(policy.short_term_tax_rate)}% / {plain(policy.long_term_tax_rate)}% that "
        + (
            f"saves about {money(-tax.estimated_tax)} of tax"
            if tax.estimated_tax < 0
            else f"costs about {money(tax.estimated_tax)} of tax"
        )
    )
    if tax.washed_loss:
        line += (
            f"; washed: {money(tax.washed_loss)} of loss is disallowed by the wash-sale rule "
            f"(no tax saving; it moves into the basis of the shares kept)"
        )
    if tax.harvested_loss:
        line += (
            f"; harvesting realizes {money(tax.harvested_loss)}, worth about "
            f"{money(tax.tax_saved)} of tax"
        )
    console.print(line)


KIND_WORDS = {
    PlanKind.FULL: "the full rebalance (sells and buys)",
    PlanKind.BUY_ONLY: "buys only",
    PlanKind.SELL_ONLY: "sells only",
}


def print_cash_flow(console: Console, plan: Plan) -> None:
    """Which kind of plan this is and why, its notes, and what a deposit or a withdrawal
    asks of the user."""
    flow = plan.cash_flow
    if flow.kind in KIND_WORDS:
        line = f"[bold]Plan:[/] {KIND_WORDS[flow.kind]} (cash_flow {flow.mode.value})"
        console.print(f"{line}: {flow.reason}" if flow.reason else line)
    for note in flow.notes:
        console.print(f"[cyan]note:[/] {note}")
    if flow.deposit and plan.orders:
        console.print(
            f"[cyan]note:[/] the deposit of {money(flow.deposit)} is counted as cash: "
            f"`trader execute` refuses this plan (exit 22) until it has arrived"
        )
    if flow.withdrawal:
        console.print(
            f"[cyan]note:[/] after execution the {money(flow.withdrawal)} is in cash: transfer "
            f"it out yourself (trader never moves money out of the account)"
        )


def print_review(console: Console, outcome: PlanOutcome) -> None:
    plan = outcome.plan
    reserve = plan.reserve
    flow = plan.cash_flow
    extra = f"   Deposit: {money(flow.deposit)} (not yet arrived)" if flow.deposit else ""
    extra += f"   Withdrawal: {money(flow.withdrawal)}" if flow.withdrawal else ""
    extra += f"   Set aside: {money(flow.set_aside)}" if flow.set_aside else ""
    console.print(
        f"Account: [bold]{outcome.account_label}[/]   Method: {plan.method.value}   "
        f"Equity: {money(plan.equity)}   Cash: {money(plan.cash)}   "
        f"Reserve: {money(reserve)}{extra}   Investable: {money(plan.investable)}"
    )
    console.print(allocation_table(plan, width=console.width))
    print_cash_flow(console, plan)
    if not plan.due:
        console.print(
            "[bold]No rebalance is due:[/] every category is within its band"
            if plan.method.value == "threshold"
            else f"[bold]No rebalance is due[/] under the {plan.method.value} method"
        )
        if plan.orders:
            kinds = sorted({o.kind.replace("_", " ") for o in plan.orders})
            console.print(f"but the plan has {' and '.join(kinds)} orders:")
    elif not plan.orders:
        console.print("[bold]A rebalance is due, but no order passes the rules[/] (see skipped)")
    if plan.orders:
        console.print(
            "[bold]Recommended trades[/] (sells first; they fund the buys)"
            if plan.sells and plan.buys
            else "[bold]Recommended trades[/]"
        )
        for side in (Side.SELL, Side.BUY):
            table = orders_table(plan, side)
            if table is not None:
                console.print(table)
        console.print("[bold]Why[/]")
        for order in plan.orders:
            console.print(f"  {order.side.value.upper()} {order.symbol}: {order.reason}")
        sold = sum((o.est_value for o in plan.sells), ZERO)
        bought = sum((o.est_value for o in plan.buys), ZERO)
        realized = sum((o.est_realized_pl or ZERO for o in plan.sells), ZERO)
        kept = f"reserve {money(reserve)}"
        if flow.withdrawal:
            kept += f" + withdrawal {money(flow.withdrawal)}"
        if flow.set_aside:
            kept += f" + withdrawal set aside {money(flow.set_aside)}"
        console.print(
            f"Sells {money(sold)}   Buys {money(bought)}   Est. realized P&L {money(realized)}   "
            f"Cash after: {money(plan.cash_after)} ({kept})"
        )
        print_tax(console, outcome)
    if plan.skipped:
        table = Table(title="Not traded", title_justify="left")
        for name in ("Symbol", "Side", "Category", "Reason"):
            table.add_column(name, overflow="fold")
        for skip in plan.skipped:
            table.add_row(skip.symbol, skip.side.value, skip.category, skip.reason)
        console.print(table)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if outcome.staged is not None and outcome.mode.value == "manual":
        console.print(
            f"[bold]Staged plan {outcome.staged.uid}[/] for the hand-kept manual account: "
            f"place its {len(outcome.staged.orders)} order(s) yourself; it is never executed."
        )
    elif outcome.staged is not None:
        console.print(
            f"[bold]Staged plan {outcome.staged.uid}[/] with {len(outcome.staged.orders)} "
            f"order(s). Nothing has been sent to the broker."
        )
    else:
        console.print("Nothing staged.")
    if outcome.superseded:
        console.print(f"Superseded older staged plan(s): {', '.join(outcome.superseded)}")
    if outcome.report_path is not None:
        console.print(f"Report: {outcome.report_path}")
