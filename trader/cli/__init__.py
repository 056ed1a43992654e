"""The command line: a thin layer that formats what the library returns."""
