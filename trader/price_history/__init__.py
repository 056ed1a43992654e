"""Where the backtest's closes come from: a CSV file, or the broker's data API through a
cache in the store. Adapters: they do the I/O that ``trader.backtest`` may not."""

from trader.price_history.cached_bars import BarFetch, cached_history
from trader.price_history.csv_file import read_price_csv

__all__ = ["BarFetch", "cached_history", "read_price_csv"]
