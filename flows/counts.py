"""The collector's counts in Redis, for the Flows page: records decoded, and what was dropped by reason.

The collector writes its tally (flows.decoding.records.Tally, counted since it started)
every second; the page reads the "dropped_" fields.
"""

import logging
from collections import Counter

import redis
from django.conf import settings

from core.redis_io.redis_clients import async_redis
from flows.decoding.records import Tally

logger = logging.getLogger(__name__)
DROPPED = "dropped_"


def tally_key() -> str:
    return f"{settings.REDIS_PREFIX}:flows:tally"


def forwarded_tally_key() -> str:
    """What the probes process decoded of the probes' flows (flows.forwarded), added up there: the
    collector's own tally is set whole each second, so the two are kept apart and read together."""
    return f"{settings.REDIS_PREFIX}:flows:tally:probes"


async def write_tally(tally: Tally) -> None:
    if not tally:
        return
    try:
        await async_redis().hset(tally_key(), mapping={name: int(count) for name, count in tally.items()})
    except (redis.RedisError, OSError) as error:
        logger.warning("could not record the collector's counts (%s)", type(error).__name__)


def read_tally(client: redis.Redis) -> tuple[int, list[tuple[str, int]]]:
    """Records decoded, and (reason, count) of each drop, the largest first."""
    fields = Counter()
    for key in (tally_key(), forwarded_tally_key()):
        fields.update({name.decode(): int(count) for name, count in client.hgetall(key).items()})
    dropped = [
        (name.removeprefix(DROPPED).replace("_", " "), n) for name, n in fields.items() if name.startswith(DROPPED)
    ]
    return fields.get("records", 0), sorted(dropped, key=lambda row: -row[1])
