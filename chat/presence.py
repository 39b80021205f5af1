"""Who is in each room: in Redis, shared by every daphne process."""

from django.conf import settings

from core.redis_clients import async_redis, sync_redis

PRESENCE_TTL_S = 24 * 3600  # a crashed server's sockets do not stay "present" forever


def presence_key(room_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:chat:presence:{int(room_id)}"


async def enter(room_id: int, channel_name: str, username: str) -> None:
    key = presence_key(room_id)
    async with async_redis().pipeline(transaction=False) as pipe:
        await pipe.hset(key, channel_name, username).expire(key, PRESENCE_TTL_S).execute()


async def leave(room_id: int, channel_name: str) -> None:
    await async_redis().hdel(presence_key(room_id), channel_name)


async def present(room_id: int) -> list[str]:
    """Who is in the room: each user once, however many tabs they have open."""
    return sorted({name.decode() for name in await async_redis().hvals(presence_key(room_id))})


def member_counts(room_ids: list[int]) -> dict[int, int]:
    """How many different users are in each room now (for the room list)."""
    pipe = sync_redis().pipeline(transaction=False)
    for room_id in room_ids:
        pipe.hvals(presence_key(room_id))
    return {room_id: len(set(names)) for room_id, names in zip(room_ids, pipe.execute(), strict=True)}
