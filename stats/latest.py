"""The copy in Redis of what a new dashboard is sent first (stats.snapshot decides what that is)."""

from django.conf import settings

from core.redis_io.redis_clients import async_redis, sync_redis
from stats import streams


def latest_key() -> str:
    return f"{settings.REDIS_PREFIX}:stats:latest"


def parts_key() -> str:
    return f"{settings.REDIS_PREFIX}:stats:parts"


async def remember_part(part: str, text: str) -> None:
    """The last word on a part live data depends on (stats.part_watch)."""
    await async_redis().hset(parts_key(), part, text)


def remember_in(pipe, texts: dict[str, str]) -> None:
    """Queue on `pipe` (a Redis pipeline) keeping agent name -> its newest encoded frame."""
    if texts:
        pipe.hset(latest_key(), mapping=texts)


async def remember_all(texts: dict[str, str]) -> None:
    """agent name -> its newest encoded frame."""
    if texts:
        await async_redis().hset(latest_key(), mapping=texts)


async def mark_offline(offline: dict[str, float], back: list[str]) -> None:
    """offline: agent name -> since when (unix s); back: agents online again."""
    redis = async_redis()
    if offline:
        await redis.hset(streams.offline_key(), mapping=offline)
    if back:
        await redis.hdel(streams.offline_key(), *back)


async def stored_frames() -> list[str]:
    """Every frame kept: each agent's newest, a state frame for each agent offline, the parts' states."""
    redis = async_redis()
    frames = [frame.decode() for frame in await redis.hvals(latest_key())]
    offline = await redis.hgetall(streams.offline_key())
    frames += [streams.state_frame(name.decode(), online=False, since=float(since)) for name, since in offline.items()]
    frames += [part.decode() for part in await redis.hvals(parts_key())]
    return frames


def forget(host: str) -> None:
    """Drop an agent from the dashboard (it comes back if it reports again)."""
    redis = sync_redis()
    redis.hdel(latest_key(), host)
    redis.hdel(streams.offline_key(), host)
