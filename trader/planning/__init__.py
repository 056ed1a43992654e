"""From the config and the account to a staged plan: the adapter around the engine.

inputs.py   settings -> Policy; an account snapshot, assets and prices -> Portfolio
report.py   a plan as JSON (the ``--json`` output and the report in ``paper_logs/``)
service.py  ``plan_account``: sync (or read the last sync), plan, stage, report
"""
