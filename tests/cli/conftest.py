"""The CLI tests use ``trader_main`` (the command in this process), ``shared_sim`` and
``config_file`` from ``tests/conftest.py``; ``test_console_script.py`` alone runs the
installed ``trader`` and ``python -m trader`` as processes, with ``run_trader``."""
