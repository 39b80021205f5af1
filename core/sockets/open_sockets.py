"""Each user's open sockets across every web process (leases in Redis), so the per-user cap holds
however many processes serve, and the places of a process that died free themselves."""

import logging

import redis
from django.conf import settings

from core.sockets import leases

logger = logging.getLogger(__name__)


def sockets_key(user_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:sockets:user:{int(user_id)}"


async def take(user_id: int, channel_name: str, limit: int) -> bool:
    """Count a new socket of `user_id` unless the user already holds `limit`; False when refused."""
    try:
        return await leases.take(sockets_key(user_id), channel_name, limit)
    except redis.RedisError as error:
        # The channel layer is on the same Redis: a socket that gets this far will not
        # get much further, and refusing it would only hide the real failure.
        logger.warning("open sockets not counted (%s: %s)", type(error).__name__, error)
        return True


async def release(user_id: int, channel_name: str) -> None:
    await leases.release(sockets_key(user_id), channel_name)
