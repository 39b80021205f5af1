"""Metric history in three tiers: per-second raw chunks, 1-minute and 1-hour rollups."""
