"""What a bare symbol says about its asset class, for records and configs that do not say.

Alpaca's FILL activities carry no asset class, and a config names symbols only. An
OCC option symbol (root, expiry YYMMDD, C or P, strike × 1000 in eight digits) is an
option; a pair with a slash (``BTC/USD``) or a run of six or more letters ending in a
quote currency (``BTCUSD``) is crypto; anything else is taken for a US stock or ETF.
"""

from __future__ import annotations

import re

EQUITY = "us_equity"
OPTION = "us_option"
CRYPTO = "crypto"
_OPTION_SYMBOL = re.compile(r"^[A-Z]{1,6}\d{6}[CP]\d{8}$")
_CRYPTO_QUOTES = ("USD", "USDT", "USDC", "BTC")


def symbol_class(symbol: str) -> str:
    if _OPTION_SYMBOL.match(symbol):
        return OPTION
    if "/" in symbol or (len(symbol) >= 6 and symbol.isalpha() and symbol.endswith(_CRYPTO_QUOTES)):
        return CRYPTO
    return EQUITY
