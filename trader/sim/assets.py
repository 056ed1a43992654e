"""The sim's tradable universe: ETFs with realistic names, listings, prices and price behaviour.

Each asset carries the facts Alpaca's asset endpoint reports (exchange, whether it
is tradable and fractionable) and the parameters of its made-up price history
(yearly drift and volatility of a random walk). Leveraged funds swing about three
times as hard as their index and, as on the real broker, are not fractionable.
``TVIX`` is a delisted fund kept for tests: known, but inactive and untradable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

# Every id the sim hands out derives from this namespace, so runs are reproducible.
SIM_NAMESPACE = uuid.UUID("5a1c0de5-0000-4000-8000-00000000a1b0")


@dataclass(frozen=True, slots=True)
class AssetInfo:
    symbol: str
    name: str
    exchange: str
    price: Decimal  # the seed price on the scenario's first day
    drift: float  # yearly log drift of the price history
    volatility: float  # yearly volatility of the price history
    fractionable: bool = True
    tradable: bool = True
    status: str = "active"

    @property
    def asset_id(self) -> str:
        return str(uuid.uuid5(SIM_NAMESPACE, f"asset:{self.symbol}"))


def _asset(
    symbol: str,
    name: str,
    exchange: str,
    price: str,
    drift: float = 0.08,
    volatility: float = 0.18,
    **flags: object,
) -> AssetInfo:
    return AssetInfo(symbol, name, exchange, Decimal(price), drift, volatility, **flags)  # type: ignore[arg-type]


_TABLE = (
    _asset("XLK", "Technology Select Sector SPDR Fund", "ARCA", "185.00", 0.14, 0.24),
    _asset("VGT", "Vanguard Information Technology ETF", "ARCA", "520.00", 0.14, 0.24),
    _asset("XLV", "Health Care Select Sector SPDR Fund", "ARCA", "145.00", 0.08, 0.16),
    _asset("VHT", "Vanguard Health Care ETF", "ARCA", "260.00", 0.08, 0.16),
    _asset("XLF", "Financial Select Sector SPDR Fund", "ARCA", "40.00", 0.07, 0.22),
    _asset("VFH", "Vanguard Financials ETF", "ARCA", "120.00", 0.07, 0.22),
    _asset("XLE", "Energy Select Sector SPDR Fund", "ARCA", "62.00", 0.03, 0.28),
    _asset("VDE", "Vanguard Energy ETF", "ARCA", "120.00", 0.03, 0.28),
    _asset("XLI", "Industrial Select Sector SPDR Fund", "ARCA", "140.00", 0.08, 0.19),
    _asset("VIS", "Vanguard Industrials ETF", "ARCA", "270.00", 0.08, 0.19),
    _asset("SPY", "SPDR S&P 500 ETF Trust", "ARCA", "480.00", 0.09, 0.17),
    _asset("VOO", "Vanguard S&P 500 ETF", "ARCA", "440.00", 0.09, 0.17),
    _asset("IVV", "iShares Core S&P 500 ETF", "ARCA", "482.00", 0.09, 0.17),
    _asset("VTI", "Vanguard Total Stock Market ETF", "ARCA", "240.00", 0.09, 0.17),
    _asset("QQQ", "Invesco QQQ Trust, Series 1", "NASDAQ", "410.00", 0.13, 0.22),
    _asset(
        "TQQQ",
        "ProShares UltraPro QQQ",
        "NASDAQ",
        "65.50",
        0.30,
        0.66,
        fractionable=False,
    ),
    _asset(
        "SQQQ",
        "ProShares UltraPro Short QQQ",
        "NASDAQ",
        "11.40",
        -0.45,
        0.66,
        fractionable=False,
    ),
    _asset("TLT", "iShares 20+ Year Treasury Bond ETF", "NASDAQ", "95.00", 0.01, 0.14),
    _asset("IEF", "iShares 7-10 Year Treasury Bond ETF", "NASDAQ", "95.00", 0.01, 0.07),
    _asset("SHY", "iShares 1-3 Year Treasury Bond ETF", "NASDAQ", "82.00", 0.005, 0.02),
    _asset("BND", "Vanguard Total Bond Market ETF", "NASDAQ", "73.00", 0.01, 0.05),
    _asset("AGG", "iShares Core U.S. Aggregate Bond ETF", "ARCA", "98.00", 0.01, 0.05),
    _asset("XLU", "Utilities Select Sector SPDR Fund", "ARCA", "80.00", 0.05, 0.16),
    _asset("XLP", "Consumer Staples Select Sector SPDR Fund", "ARCA", "80.00", 0.06, 0.13),
    _asset("GLD", "SPDR Gold Shares", "ARCA", "240.00", 0.06, 0.15),
    _asset("VNQ", "Vanguard Real Estate ETF", "ARCA", "90.00", 0.04, 0.21),
    _asset("IWM", "iShares Russell 2000 ETF", "ARCA", "200.00", 0.06, 0.22),
    _asset("DIA", "SPDR Dow Jones Industrial Average ETF Trust", "ARCA", "390.00", 0.08, 0.16),
    _asset("EFA", "iShares MSCI EAFE ETF", "ARCA", "78.00", 0.04, 0.17),
    _asset("VEA", "Vanguard FTSE Developed Markets ETF", "ARCA", "50.00", 0.04, 0.17),
    _asset("VWO", "Vanguard FTSE Emerging Markets ETF", "ARCA", "44.00", 0.03, 0.20),
    _asset("SCHD", "Schwab U.S. Dividend Equity ETF", "ARCA", "27.50", 0.07, 0.15),
    _asset(
        "MTUM",
        "iShares MSCI USA Momentum Factor ETF",
        "BATS",
        "200.00",
        0.10,
        0.19,
        fractionable=False,
    ),
    _asset(
        "TVIX",
        "VelocityShares Daily 2x VIX Short-Term ETN",
        "NASDAQ",
        "0.90",
        -0.60,
        1.10,
        fractionable=False,
        tradable=False,
        status="inactive",
    ),
)

ASSETS: dict[str, AssetInfo] = {asset.symbol: asset for asset in _TABLE}
ASSETS_BY_ID: dict[str, AssetInfo] = {asset.asset_id: asset for asset in _TABLE}


def find_asset(symbol_or_id: str) -> AssetInfo | None:
    """An asset by symbol (any case) or by its asset id."""
    return ASSETS.get(symbol_or_id.upper()) or ASSETS_BY_ID.get(symbol_or_id.lower())


def seed_prices() -> dict[str, Decimal]:
    """The first-day prices of the sim's own ETFs (not of the synthetic stocks)."""
    return {asset.symbol: asset.price for asset in _TABLE}


# Synthetic stocks for accounts with many positions (the ``stocks-N`` scenarios): W001 to
# W500, NYSE-listed, $20 to $119.75. They join the universe only when such an account
# is built or loaded, so ordinary accounts list and price the ETFs alone.
SYNTHETIC_COUNT = 500


def synthetic_symbols(count: int = SYNTHETIC_COUNT) -> list[str]:
    return [f"W{n:03d}" for n in range(1, count + 1)]


def add_synthetic_stocks() -> None:
    """Register the synthetic stocks in the universe (idempotent)."""
    for n, symbol in enumerate(synthetic_symbols(), 1):
        if symbol not in ASSETS:
            info = _asset(
                symbol, f"Synthetic Stock {n:03d}", "NYSE", f"{20 + (n * 37) % 400 / 4:.2f}"
            )
            ASSETS[symbol] = info
            ASSETS_BY_ID[info.asset_id] = info
