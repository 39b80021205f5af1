"""Plumbing every app shares: group and message names, the publisher, the consumer base,
signals between apps, the metric catalogue, Redis clients, health and pruning."""
