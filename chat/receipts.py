"""Which client ids of each user's messages were saved lately: a resend is confirmed, not saved twice.

A page sends again the messages it has no "saved" frame for after a reconnect; when the
frame, not the message, was lost, the message is already stored. Ids live for
REMEMBER_S per user in Redis, shared by every server process.
"""

from django.conf import settings

from core.redis_clients import async_redis

REMEMBER_S = 3600


def _key(user_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:chat:saved:{int(user_id)}"


async def already_saved(user_id: int, client_id: str) -> bool:
    return bool(await async_redis().sismember(_key(user_id), client_id))


async def remember(saved: dict[int, list[str]]) -> None:
    """Record user id -> client ids just saved."""
    async with async_redis().pipeline(transaction=False) as pipe:
        for user_id, client_ids in saved.items():
            pipe.sadd(_key(user_id), *client_ids).expire(_key(user_id), REMEMBER_S)
        await pipe.execute()
