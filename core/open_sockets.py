"""Each user's open sockets across every web process, in Redis, so the per-user cap holds however many serve.

A sorted set per user: a member per socket (its channel name), scored by when its
lease ends. Every process renews the leases of its own open sockets every
RENEW_EVERY_S; the sockets of a process that died stop counting within LEASE_S.
"""

import asyncio
import contextlib
import logging
import time
import weakref

import redis
from django.conf import settings

from core.redis_clients import async_redis

logger = logging.getLogger(__name__)

LEASE_S = 60.0
RENEW_EVERY_S = 20.0

# Drop ended leases; add this socket if the user holds fewer than the cap. Atomic: two
# processes taking a user's last place at once cannot both get it.
TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

_mine: dict[str, int] = {}  # channel name -> user id: this process's counted sockets
_renewers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = weakref.WeakKeyDictionary()


def sockets_key(user_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:sockets:user:{int(user_id)}"


async def take(user_id: int, channel_name: str, limit: int) -> bool:
    """Count a new socket of `user_id` unless the user already holds `limit`; False when refused."""
    now = time.time()
    try:
        taken = await async_redis().eval(
            TAKE, 1, sockets_key(user_id), now, limit, now + LEASE_S, channel_name, int(LEASE_S) + 1
        )
    except redis.RedisError as error:
        # The channel layer is on the same Redis: a socket that gets this far will not
        # get much further, and refusing it would only hide the real failure.
        logger.warning("open sockets not counted (%s: %s)", type(error).__name__, error)
        return True
    if not taken:
        return False
    _mine[channel_name] = user_id
    _start_renewing()
    return True


async def release(user_id: int, channel_name: str) -> None:
    if _mine.pop(channel_name, None) is None:
        return
    with contextlib.suppress(redis.RedisError):  # its lease ends by itself
        await async_redis().zrem(sockets_key(user_id), channel_name)


async def renew() -> None:
    """Extend the leases of this process's open sockets (and count them again after a Redis restart)."""
    if not _mine:
        return
    until = time.time() + LEASE_S
    async with async_redis().pipeline(transaction=False) as pipe:
        for channel_name, user_id in list(_mine.items()):
            pipe.zadd(sockets_key(user_id), {channel_name: until}).expire(sockets_key(user_id), int(LEASE_S) + 1)
        await pipe.execute()


def _start_renewing() -> None:
    loop = asyncio.get_running_loop()
    task = _renewers.get(loop)
    if task is None or task.done():
        _renewers[loop] = loop.create_task(_renew_forever())


async def _renew_forever() -> None:
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        try:
            await renew()
        except redis.RedisError as error:
            logger.warning("socket leases not renewed (%s: %s); trying again", type(error).__name__, error)
