"""Metric history in three tiers of compressed blocks: per-second raw values, 1-minute and 1-hour rollups."""
