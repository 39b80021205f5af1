"""Talking to Redis: the clients, the channel layer and the one publisher for sync code, the
link watch that tells pages when live data stops, heartbeats of clock-driven parts, sliding
rate limits, and batching of calls that arrive while one trip is under way.

Named `redis_io`, not `redis`, so that `core.redis` is never read as the redis-py library."""
