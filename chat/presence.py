"""Who is in each room: a lease per socket in Redis, shared by every web process.

The member is "<channel name> <username>" (channel names hold no spaces). A socket of
a web process that died stops counting when `manage.py serve` frees its holdings, or
at the latest within core.sockets.leases.LEASE_S.
"""

from django.conf import settings

from core.sockets import leases


def presence_key(room_id: int) -> str:
    # Not "chat:presence:", which held a hash before leases: an upgrade finds no key of the old type.
    return f"{settings.REDIS_PREFIX}:chat:seats:{int(room_id)}"


def _member(channel_name: str, username: str) -> str:
    return f"{channel_name} {username}"


def _users(members: list[str]) -> set[str]:
    return {member.split(" ", 1)[1] for member in members}


async def enter(room_id: int, channel_name: str, username: str) -> None:
    await leases.hold(presence_key(room_id), _member(channel_name, username))


async def leave(room_id: int, channel_name: str, username: str) -> None:
    await leases.release(presence_key(room_id), _member(channel_name, username))


async def present(room_id: int) -> list[str]:
    """Who is in the room: each user once, however many tabs they have open."""
    return sorted(_users(await leases.held(presence_key(room_id))))


def member_counts(room_ids: list[int]) -> dict[int, int]:
    """How many different users are in each room now (for the room list)."""
    found = leases.held_now([presence_key(room_id) for room_id in room_ids])
    return {room_id: len(_users(members)) for room_id, members in zip(room_ids, found, strict=True)}
