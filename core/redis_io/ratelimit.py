"""Sliding-window rate limits in Redis, shared by every server process."""

import time
import uuid

from django.conf import settings

from core.redis_io.redis_clients import async_redis, sync_redis


def _use(bucket: str, subject_id: int, window_s: float, pipe) -> tuple[str, str]:
    """Queue on `pipe`: trim the window, record this use, count. Returns (key, this use's member)."""
    key = f"{settings.REDIS_PREFIX}:rate:{bucket}:{int(subject_id)}"
    now = time.time()
    member = f"{now}:{uuid.uuid4().hex[:8]}"
    pipe.zremrangebyscore(key, 0, now - window_s).zadd(key, {member: now}).zcard(key)
    pipe.expire(key, int(window_s) + 1)
    return key, member


async def allow(bucket: str, subject_id: int, limit: int, window_s: float = 1.0) -> bool:
    """True when `subject_id` used `bucket` fewer than `limit` times in the last `window_s` seconds.

    A sorted set of use times per subject, trimmed to the window, in one round trip.
    A refused use is not counted.
    """
    async with async_redis().pipeline(transaction=True) as pipe:
        key, member = _use(bucket, subject_id, window_s, pipe)
        _, _, count, _ = await pipe.execute()
    if count > limit:
        await async_redis().zrem(key, member)
        return False
    return True


def allow_sync(bucket: str, subject_id: int, limit: int, window_s: float = 1.0) -> bool:
    """`allow` for synchronous views."""
    client = sync_redis()
    with client.pipeline(transaction=True) as pipe:
        key, member = _use(bucket, subject_id, window_s, pipe)
        _, _, count, _ = pipe.execute()
    if count > limit:
        client.zrem(key, member)
        return False
    return True
