"""A chat message in the history and messages frames has the fields the protocol catalogue lists."""

from datetime import UTC, datetime

from chat.models import ChatMessage
from chat.rooms import message_fields
from core.contracts.protocol import FRAMES
from core.contracts.protocol.spec import SERVER_TO_CLIENT


def members(kind: str, name: str) -> set[str]:
    return {f.name for f in next(f for f in FRAMES[(SERVER_TO_CLIENT, kind)].fields if f.name == name).members}


def test_a_message_has_the_fields_of_the_history_and_messages_frames():
    message = ChatMessage(id=5, text="hello", created_at=datetime(2026, 1, 2, tzinfo=UTC))
    fields = set(message_fields(message, "alice"))
    assert fields == members("history", "messages")
    assert fields == members("messages", "messages")
