"""Chat rooms: safe names and saved messages.

Database functions are sync: consumers call them through database_sync_to_async.
"""

import unicodedata
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.crypto import constant_time_compare

from alerts import visibility
from alerts.models import Alert
from chat.models import ChatMessage, ChatRoom
from core.contracts.groups import room_subject

HISTORY = 50
MAX_ROOM_NAME = 100
DASHBOARD_ROOM = "ops"
NEW_ROOMS_PER_HOUR = 20
CREATE_PERMISSION = "chat.add_chatroom"  # operators


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


# --- database ------------------------------------------------------------------------


class RoomRefused(Exception):
    """The user may not open this room; the message says why."""


def existing_room(name: str, user) -> ChatRoom | None:
    """The room called `name`, or None if there is none yet; raises RoomRefused for another's alert room."""
    kind, object_id = room_subject(name)
    if kind == "alert" and not visibility.may_see_alert(user, object_id):
        raise RoomRefused("this alert's room is open to its recipients only")
    return ChatRoom.objects.filter(name=name).first()


def new_room(name: str, user) -> ChatRoom:
    """Make the room (operators); raises RoomRefused for a user who may not."""
    if not user.has_perm(CREATE_PERMISSION):
        raise RoomRefused("there is no such room, and making rooms needs the operator role")
    room, _ = ChatRoom.objects.get_or_create(name=name)
    return room


def visible_rooms(rooms, user) -> list:
    """`rooms` without the alert rooms that `user` may not open."""
    alert_of = {
        room.pk: object_id for room in rooms for kind, object_id in [room_subject(room.name)] if kind == "alert"
    }
    alerts = visibility.visible(Alert.objects.filter(pk__in=alert_of.values()), user)
    seen = set(alerts.values_list("pk", flat=True))
    return [room for room in rooms if room.pk not in alert_of or alert_of[room.pk] in seen]


def save_signed_in(room_id: int, batch) -> tuple[list, list[dict] | None]:
    """The posts of `batch` sent from sessions that still sign their author in, and what
    save_messages made of them (the others are not saved)."""
    signed_in = still_signed_in(batch)
    return signed_in, save_messages(room_id, signed_in)


def still_signed_in(batch) -> list:
    """The posts whose author is active and has the password their socket's session was signed
    in with, the authors read in one query. A socket is closed when its session ends, but a
    message can arrive before the word does: it is dropped here, however soon it followed."""
    authors = get_user_model()._default_manager.in_bulk({p.user_id for p in batch})
    hashes = {pk: author.get_session_auth_hash() for pk, author in authors.items() if author.is_active}
    return [
        p
        for p in batch
        if p.session_hash is not None
        and p.user_id in hashes
        and constant_time_compare(p.session_hash, hashes[p.user_id])
    ]


def save_messages(room_id: int, batch) -> list[dict] | None:
    """Save a batch of posted messages in one transaction; None (nothing saved) if the room is archived.

    Returns the messages stored now: a resend of one stored before (same author and
    client id) is left out, and is confirmed to its sender all the same.
    """
    with transaction.atomic():
        if ChatRoom.objects.select_for_update().filter(pk=room_id, archived=True).exists():
            return None
        fresh = not_stored(batch)
        messages = ChatMessage.objects.bulk_create(
            ChatMessage(
                room_id=room_id, author_id=p.user_id, text=p.text, created_at=_aware(p.ts), client_id=p.client_id
            )
            for p in fresh
        )
    return [message_fields(m, p.username) for m, p in zip(messages, fresh, strict=True)]


def not_stored(batch) -> list:
    """The posted messages of `batch` but those whose author and client id are stored already (or earlier in it)."""
    client_ids = {p.client_id for p in batch if p.client_id is not None}
    stored = set()
    if client_ids:
        stored = set(
            ChatMessage.objects.filter(author_id__in={p.user_id for p in batch}, client_id__in=client_ids).values_list(
                "author_id", "client_id"
            )
        )
    fresh = []
    for posted in batch:
        key = (posted.user_id, posted.client_id)
        if posted.client_id is not None:
            if key in stored:
                continue
            stored.add(key)
        fresh.append(posted)
    return fresh


def _aware(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def recent_messages(room_id: int, limit: int = HISTORY) -> list[dict]:
    rows = ChatMessage.objects.filter(room_id=room_id).select_related("author")[:limit]
    return [message_fields(m, m.author.get_username()) for m in reversed(rows)]


def message_fields(message: ChatMessage, author: str) -> dict:
    return {"id": message.pk, "author": author, "text": message.text, "ts": message.created_at.timestamp()}
