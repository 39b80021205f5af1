"""Sliding-window rate limits in Redis, shared by every server process."""

import time
import uuid

from django.conf import settings

from core.redis_clients import async_redis


async def allow(bucket: str, subject_id: int, limit: int, window_s: float = 1.0) -> bool:
    """True when `subject_id` used `bucket` fewer than `limit` times in the last `window_s` seconds.

    A sorted set of use times per subject, trimmed to the window, in one round trip.
    A refused use is not counted.
    """
    key = f"{settings.REDIS_PREFIX}:rate:{bucket}:{int(subject_id)}"
    now = time.time()
    member = f"{now}:{uuid.uuid4().hex[:8]}"
    async with async_redis().pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, 0, now - window_s).zadd(key, {member: now}).zcard(key)
        pipe.expire(key, int(window_s) + 1)
        _, _, count, _ = await pipe.execute()
    if count > limit:
        await async_redis().zrem(key, member)
        return False
    return True
