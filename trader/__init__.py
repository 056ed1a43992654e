"""trader: a semi-automated portfolio rebalancer for self-directed Alpaca accounts."""

__version__ = "0.1.0"
