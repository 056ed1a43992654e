"""Adapters that are neither the broker nor the store: alert delivery (``notify``:
Telegram through the bot, apprise URLs) and the JSON report files (``reports``)."""
