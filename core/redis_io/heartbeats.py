"""When each clock-driven part last ran, kept in Redis, for the processes that watch it.

The check dispatcher runs only while celery beat ticks: when beat (or the general
worker) stops, no check runs and host states silently grow old. The dispatcher marks
each run; the ingest, which does not depend on beat, reads the mark and tells the
dashboards when it goes silent and when it runs again.
"""

import time

from django.conf import settings

from core.redis_io.redis_clients import async_redis, sync_redis

DISPATCHER = "dispatcher"


def heartbeat_key(part: str) -> str:
    return f"{settings.REDIS_PREFIX}:heartbeat:{part}"


def mark(part: str) -> None:
    """`part` ran now (kept a day: a part gone longer than that is as good as never seen)."""
    sync_redis().set(heartbeat_key(part), repr(time.time()), ex=86_400)


async def last_run(part: str) -> float | None:
    """When `part` last ran (unix s), or None if it never did."""
    value = await async_redis().get(heartbeat_key(part))
    return None if value is None else float(value)
