"""The CLI tests use ``run_trader`` and ``config_file`` from ``tests/conftest.py``."""
