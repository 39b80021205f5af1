"""The receiver's counts in Redis, for the Events page: taken, and dropped by reason and source."""

import asyncio
import logging

import redis
from django.conf import settings

from core.redis_io.redis_clients import async_redis
from events.intake import Intake

logger = logging.getLogger(__name__)

EVERY_S = 2.0


def drops_key() -> str:
    return f"{settings.REDIS_PREFIX}:events:drops"


def taken_key() -> str:
    return f"{settings.REDIS_PREFIX}:events:taken"


async def keep_counting(intake: Intake) -> None:
    while True:
        await asyncio.sleep(EVERY_S)
        fields = intake.drops.fields()
        try:
            async with async_redis().pipeline(transaction=False) as pipe:
                pipe.set(taken_key(), intake.taken)
                if fields:
                    pipe.hset(drops_key(), mapping=fields)
                await pipe.execute()
        except (redis.RedisError, OSError) as error:
            logger.warning("could not record the receiver's counts (%s)", type(error).__name__)


def read_drops(client: redis.Redis) -> list[tuple[str, str, int]]:
    """(reason, source, count), largest first."""
    rows = []
    for field, count in client.hgetall(drops_key()).items():
        reason, _, source = field.decode().rpartition("|")
        rows.append((reason, source, int(count)))
    return sorted(rows, key=lambda r: -r[2])
