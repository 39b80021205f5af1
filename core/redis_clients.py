"""Redis clients for code that talks to Redis directly (not through Channels or Celery)."""

import asyncio
import functools
import weakref

import redis
import redis.asyncio
from django.conf import settings

# Async clients are bound to the event loop that created their connections.
_async_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis]" = (
    weakref.WeakKeyDictionary()
)


def async_redis() -> redis.asyncio.Redis:
    """The running loop's client, created on first use."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        # A blocking pool waits for a free connection; the default pool raises
        # "Too many connections" when hundreds of dashboards connect at once.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=20, timeout=10, socket_timeout=5, socket_connect_timeout=5
        )
        client = redis.asyncio.Redis(connection_pool=pool)
        _async_clients[loop] = client
    return client


@functools.cache
def sync_redis() -> redis.Redis:
    """A short-timeout client for health checks and admin actions."""
    return redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
