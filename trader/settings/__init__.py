"""Configuration: the strict schema of ``portfolio_allocation.yaml`` and its loader."""

from trader.settings.loader import DEFAULT_CONFIG_PATH, config_path, load_settings
from trader.settings.models import Settings

__all__ = ["DEFAULT_CONFIG_PATH", "Settings", "config_path", "load_settings"]
