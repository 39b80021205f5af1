"""Plumbing every app shares, grouped by concern: contracts between apps, WebSockets, Redis,
security, the web layer and languages; supervision, pruning and per-loop objects stay here."""
