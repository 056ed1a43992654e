"""Telegram: plan alerts with Approve / Reject / Details buttons, and ``trader bot``.

config.py    the bot token and the allowed chats, from the environment only
api.py       the Bot API through python-telegram-bot, as blocking calls with retries
messages.py  what the bot says, and the buttons' callback data
poller.py    the long-polling loop: each update handled, then acknowledged
channel.py   sending an alert (with buttons) from ``trader plan`` and ``trader run``

The library is imported only by ``api.py``, and only when a message is sent.
"""
