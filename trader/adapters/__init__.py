"""Adapters that are neither the broker nor the store: alert delivery (``notify``:
Telegram through the bot, apprise URLs), the JSON report files (``reports``) and the
home folder with its private database files (``home``)."""
