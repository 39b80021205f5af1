"""Chat rooms: safe names and saved messages.

Database functions are sync: consumers call them through database_sync_to_async.
"""

import unicodedata
from datetime import UTC, datetime

from django.db import transaction

from chat.models import ChatMessage, ChatRoom

HISTORY = 50
MAX_ROOM_NAME = 100
DASHBOARD_ROOM = "ops"


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
