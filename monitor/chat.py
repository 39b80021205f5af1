"""Chat rooms: safe names, saved messages, who is present, and the per-user rate limit.

Database functions are sync (consumers call them through database_sync_to_async);
presence and the rate limit live in Redis, shared by every daphne process.
"""

import time
import unicodedata
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from monitor.models import ChatMessage, ChatRoom
from NetWorkMonitor.redis_clients import async_redis, sync_redis

HISTORY = 50
MAX_ROOM_NAME = 100
MESSAGES_PER_SECOND = 10
DASHBOARD_ROOM = "ops"
PRESENCE_TTL_S = 24 * 3600  # a crashed server's sockets do not stay "present" forever


def clean_room_name(raw: str) -> str:
    """The room name people typed, normalised; raises ValueError with the reason if unusable."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise ValueError("a room needs a name")
    if len(name) > MAX_ROOM_NAME:
        raise ValueError(f"a room name has at most {MAX_ROOM_NAME} characters")
    if "/" in name or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise ValueError("a room name cannot contain / or control characters")
    return name


def host_room_name(host_id: int) -> str:
    return f"host-{int(host_id)}"


def alert_room_name(alert_id: int) -> str:
    return f"alert-{int(alert_id)}"


# --- database ------------------------------------------------------------------------


def open_room(name: str) -> ChatRoom:
    room, _ = ChatRoom.objects.get_or_create(name=name)
    return room


def save_messages(room_id: int, batch) -> list[dict] | None:
    """Save a batch of posted messages in one transaction; None (nothing saved) if the room is archived."""
    with transaction.atomic():
        if ChatRoom.objects.select_for_update().filter(pk=room_id, archived=True).exists():
            return None
        messages = ChatMessage.objects.bulk_create(
            ChatMessage(room_id=room_id, author_id=p.user_id, text=p.text, created_at=_aware(p.ts)) for p in batch
        )
    return [message_fields(m, p.username) for m, p in zip(messages, batch, strict=True)]


def _aware(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def recent_messages(room_id: int, limit: int = HISTORY) -> list[dict]:
    rows = ChatMessage.objects.filter(room_id=room_id).select_related("author")[:limit]
    return [message_fields(m, m.author.get_username()) for m in reversed(rows)]


def message_fields(message: ChatMessage, author: str) -> dict:
    return {"id": message.pk, "author": author, "text": message.text, "ts": message.created_at.timestamp()}


# --- Redis: presence and rate ----------------------------------------------------------


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


async def allow_message(user_id: int) -> bool:
    """True when the user sent fewer than MESSAGES_PER_SECOND messages in the last second.

    A sliding window over all the user's sockets and servers: a sorted set of send
    times per user, trimmed to one second, in one round trip. A refused message is
    not counted.
    """
    key = f"{settings.REDIS_PREFIX}:chat:rate:{int(user_id)}"
    now = time.time()
    member = f"{now}:{uuid.uuid4().hex[:8]}"
    async with async_redis().pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, 0, now - 1.0).zadd(key, {member: now}).zcard(key).expire(key, 2)
        _, _, count, _ = await pipe.execute()
    if count > MESSAGES_PER_SECOND:
        await async_redis().zrem(key, member)
        return False
    return True
