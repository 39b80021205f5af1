"""Redis clients for code that talks to Redis directly (not through Channels or Celery).

Each is a client of REDIS_URL's server, or, with REDIS_SENTINELS set, of the master the
sentinels name: a connection made after a failover goes to the new master.
"""

import functools
from collections.abc import Callable

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel
from django.conf import settings

from core.per_loop import per_loop


def sync_client(**options) -> redis.Redis:
    if settings.REDIS_SENTINELS:
        sentinels = redis.sentinel.Sentinel(settings.REDIS_SENTINELS, sentinel_kwargs=settings.REDIS_SENTINEL_OPTIONS)
        return sentinels.master_for(settings.REDIS_SENTINEL_MASTER, **settings.REDIS_CREDENTIALS, **options)
    return redis.from_url(settings.REDIS_URL, **options)


def async_client(**options) -> redis.asyncio.Redis:
    """A new client (a pool of its own) for the running loop."""
    if settings.REDIS_SENTINELS:
        sentinels = redis.asyncio.sentinel.Sentinel(
            settings.REDIS_SENTINELS, sentinel_kwargs=settings.REDIS_SENTINEL_OPTIONS
        )
        return sentinels.master_for(settings.REDIS_SENTINEL_MASTER, **settings.REDIS_CREDENTIALS, **options)
    return redis.asyncio.Redis.from_url(settings.REDIS_URL, **options)


def _shared_async_client() -> redis.asyncio.Redis:
    if settings.REDIS_SENTINELS:  # redis-py has no blocking pool for a sentinel's master
        return async_client(socket_timeout=5, socket_connect_timeout=5)
    # A blocking pool waits for a free connection; the default pool raises
    # "Too many connections" when hundreds of dashboards connect at once.
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        settings.REDIS_URL, max_connections=20, timeout=10, socket_timeout=5, socket_connect_timeout=5
    )
    return redis.asyncio.Redis(connection_pool=pool)


# The running loop's client, created on first use: async clients are bound to the event
# loop that created their connections.
async_redis: Callable[[], redis.asyncio.Redis] = per_loop(_shared_async_client)


@functools.cache
def sync_redis() -> redis.Redis:
    """A short-timeout client for health checks and admin actions."""
    return sync_client(socket_timeout=2, socket_connect_timeout=2)


def acl_user_exists(user: str) -> bool:
    """Whether Redis holds the ACL user `user` (an agent's or a probe's credentials)."""
    try:
        return bool(sync_redis().acl_getuser(user))
    except redis.ResponseError:
        return False
