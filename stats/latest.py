"""The latest frame of every agent, kept in one Redis hash so a new dashboard is never empty."""

from django.conf import settings

from core.redis_clients import async_redis, sync_redis


def latest_key() -> str:
    return f"{settings.REDIS_PREFIX}:stats:latest"


async def remember(host: str, text: str) -> None:
    await async_redis().hset(latest_key(), host, text)


async def all_frames() -> list[str]:
    frames = await async_redis().hvals(latest_key())
    return [frame.decode() for frame in frames]


def forget(host: str) -> None:
    """Drop an agent from the dashboard (it will come back if it reports again)."""
    sync_redis().hdel(latest_key(), host)
