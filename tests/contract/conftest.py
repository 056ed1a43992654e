"""Prints which endpoints the contract test held to Alpaca's documents, after the run."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from .test_sim_responses import COVERED

    if COVERED:
        terminalreporter.write_sep(
            "-", "sim endpoints validated against Alpaca's OpenAPI documents"
        )
        for which, method, path in sorted(COVERED):
            terminalreporter.write_line(f"{which:<11} {method:<6} {path}")
