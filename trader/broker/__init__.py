"""Broker adapters: the Protocol the rest of the project talks to, and its alpaca-py implementation."""
