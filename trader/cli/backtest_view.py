"""How a backtest is shown: a rich table, JSON, and the equity curves as a chart (PNG, SVG
or PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from trader.backtest import Backtest, Metrics
from trader.cli.formatting import money
from trader.core.money import cents

SHOWN_WARNINGS = 3


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def metrics_payload(metrics: Metrics) -> dict[str, Any]:
    drawdown = metrics.drawdown
    return {
        "strategy": metrics.strategy,
        "cagr_pct": None if metrics.cagr is None else round(metrics.cagr * 100, 4),
        "volatility_pct": round(metrics.volatility * 100, 4),
        "sharpe": None if metrics.sharpe is None else round(metrics.sharpe, 4),
        "max_drawdown_pct": round(drawdown.depth * 100, 4),
        "drawdown_peak": drawdown.peak,
        "drawdown_trough": drawdown.trough,
        "drawdown_recovered": drawdown.recovered,
        "rebalances": metrics.rebalances,
        "engine_checks": metrics.checks,
        "turnover_per_year_pct": round(metrics.turnover_per_year * 100, 4),
        "total_costs": cents(metrics.total_costs),
        "final_equity": round(metrics.final_equity, 2),
    }


def backtest_payload(backtest: Backtest, source: str, notes: list[str]) -> dict[str, Any]:
    """Everything the table shows, plus each strategy's rebalance days, for programs."""
    strategies = []
    for run, metrics in zip(backtest.runs, backtest.metrics, strict=True):
        strategies.append(
            {
                **metrics_payload(metrics),
                "description": run.strategy.description,
                "rebalance_days": [d.day for d in run.rebalances],
                "engine_warnings": list(run.warnings),
            }
        )
    return {
        "start": backtest.start,
        "end": backtest.end,
        "trading_days": len(backtest.prices.days),
        "source": source,
        "capital": backtest.capital,
        "cost_bps": backtest.cost_bps,
        "risk_free_pct": backtest.risk_free_pct,
        "symbols": list(backtest.prices.symbols),
        "data_notes": backtest.prices.notes(),
        "notes": notes,
        "strategies": strategies,
    }


def print_backtest(console: Console, backtest: Backtest, notes: list[str]) -> None:
    """Two narrow tables (returns and trading; drawdown dates), the engine's warnings, notes."""
    table = Table(
        title=f"Backtest {backtest.start} to {backtest.end}, from {money(backtest.capital)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in ("Strategy", "CAGR", "Vol.", "Sharpe", "Max DD", "Rebal.", "Turn./yr", "Costs"):
        table.add_column(name, justify="left" if name == "Strategy" else "right", no_wrap=True)
    for m in backtest.metrics:
        table.add_row(
            m.strategy,
            "-" if m.cagr is None else _pct(m.cagr),
            _pct(m.volatility),
            "-" if m.sharpe is None else f"{m.sharpe:.2f}",
            _pct(m.drawdown.depth),
            str(m.rebalances),
            _pct(m.turnover_per_year),
            money(m.total_costs),
        )
    console.print(table)
    dates = Table(title="Max drawdown and final equity", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("Strategy", "Peak", "Trough", "Recovered", "Final equity"):
        dates.add_column(name, justify="right" if name == "Final equity" else "left")
    for m in backtest.metrics:
        d = m.drawdown
        dates.add_row(
            m.strategy,
            str(d.peak),
            str(d.trough),
            str(d.recovered) if d.recovered else "not yet",
            f"${m.final_equity:,.2f}",
        )
    console.print(dates)
    for run in backtest.runs:
        if run.warnings:
            shown = "; ".join(run.warnings[:SHOWN_WARNINGS])
            more = len(run.warnings) - SHOWN_WARNINGS
            tail = f" (and {more} more, see --json)" if more > 0 else ""
            console.print(f"[yellow]{run.strategy.name}:[/] the engine warned: {shown}{tail}")
    for note in notes:
        console.print(f"- {note}", highlight=False)


def write_chart(
    path: Path, backtest: Backtest, *, kind: str = "png", simulated: bool = False
) -> None:
    """The equity curves of every strategy, on a log scale with dollar labels, as a file of
    ``kind`` (png, svg or pdf); ``simulated`` says in the title that the prices are the
    local paper broker's."""
    import matplotlib.pyplot as plt

    figure = chart_figure(backtest, simulated=simulated)
    try:
        figure.savefig(path, format=kind)
    finally:
        plt.close(figure)


def chart_figure(backtest: Backtest, *, simulated: bool = False):  # -> matplotlib Figure
    """The chart as a matplotlib figure (the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator

    days = np.array(backtest.prices.days, dtype="datetime64[D]")
    figure, axes = plt.subplots(figsize=(10, 5.5), dpi=100)
    for run, metrics in zip(backtest.runs, backtest.metrics, strict=True):
        axes.plot(
            days,
            run.equity,
            linewidth=1.1,
            label=run.strategy.name
            if metrics.cagr is None
            else f"{run.strategy.name} ({_pct(metrics.cagr)} a year)",
        )
    axes.set_yscale("log")
    axes.set_ylabel("equity (log scale)")
    dollars = FuncFormatter(lambda value, _: f"${value:,.0f}")
    lowest = min(float(min(run.equity)) for run in backtest.runs)
    highest = max(float(max(run.equity)) for run in backtest.runs)
    if highest < lowest * 10:
        # Within a decade: round dollar figures, evenly spaced, on the log scale.
        ticks = MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]).tick_values(lowest, highest)
        axes.yaxis.set_major_locator(FixedLocator([t for t in ticks if t > 0]))
    else:
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(dollars)
    axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
    prices = "simulated prices; " if simulated else ""
    axes.set_title(
        f"trader backtest {backtest.start} to {backtest.end}: {prices}costs "
        f"{backtest.cost_bps} bp; past results are no guarantee"
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    return figure
