"""The live processes of a group (the ingest's, the probes'): each keeps its name in the group's
sorted set, scored by when its place ends.

A process that stops renewing (killed, frozen, cut off from Redis) drops out after
MEMBER_TTL_S, and the others take its streams once their leases end too.
"""

import os
import secrets
import socket
import time

from django.conf import settings

MEMBER_TTL_S = 4.0


def members_key(group: str = "ingest") -> str:
    return f"{settings.REDIS_PREFIX}:{group}:members"


def new_member_name() -> str:
    """Unique per process start: a restarted process is a new member, never mistaken for its old self."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def renew(redis, me: str, group: str = "ingest") -> set[str]:
    """Keep `me` among the live members; returns the live members (`me` included)."""
    now, key = time.time(), members_key(group)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zadd(key, {me: now + MEMBER_TTL_S})
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zrange(key, 0, -1)
        *_, names = await pipe.execute()
    return {name.decode() if isinstance(name, bytes) else name for name in names}


def leave(redis, me: str, group: str = "ingest") -> None:
    """`me` stops at once: the others rebalance without waiting for its place to end (sync client)."""
    redis.zrem(members_key(group), me)
