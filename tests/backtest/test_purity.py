"""The backtest decides through the engine (its purity is checked with the core's, in
``tests/engine/test_purity.py``)."""

from __future__ import annotations

from pathlib import Path

import trader.backtest


def test_the_backtest_decides_through_the_engine():
    """The one place trades are decided is ``plan_rebalance``, the code behind ``trader plan``."""
    source = (Path(trader.backtest.__file__).parent / "simulate.py").read_text()
    assert "from trader.core.engine import Plan, plan_rebalance" in source
