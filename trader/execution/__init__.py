"""``trader execute``: sending a staged plan to the broker exactly once.

guards.py    pure checks before sending: expiry, changed account, moved prices, limits,
             conflicting open orders; and sizing the buys from the cash really there
submit.py    one order to the broker exactly once: write intent, send, resolve doubt by
             looking the order up by its client order id, never by a blind retry
executor.py  the run: reconcile with the broker, check, sells, wait, buys, wait, report
report.py    an execution as JSON (``--json`` and the report in ``paper_logs/``)
"""
