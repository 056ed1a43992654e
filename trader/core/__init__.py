"""The pure core: domain values and the rebalancing engine. No I/O, no adapters imported here."""
