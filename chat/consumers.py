"""The people-facing sockets: a personal echo channel and chat rooms."""

import json
import time

from channels.db import database_sync_to_async

from chat import outbox, presence, rooms
from chat.models import ChatMessage
from core.consumers import AuthenticatedJsonConsumer
from core.groups import CHAT_MESSAGE, CHAT_PRESENCE, ECHO_FRAME, echo_user_group

# Closes a chat socket whose room name cannot be used (after an error frame saying why).
CLOSE_BAD_ROOM = 4400


class EchoConsumer(AuthenticatedJsonConsumer):
    """Every frame a user sends comes back, as `{"type": "echo", "data": <frame>}`, to all of
    that user's open sockets and to nobody else's. The group is built from the user id."""

    passthrough_messages = frozenset({ECHO_FRAME})

    async def group_names(self) -> list[str]:
        return [echo_user_group(self.scope["user"].pk)]

    async def receive_json(self, content: dict, **kwargs) -> None:
        if content["type"] == "ping":
            await self.on_ping(content)
            return
        text = json.dumps({"type": "echo", "data": content, "ts": time.time()})
        await self.channel_layer.group_send(echo_user_group(self.scope["user"].pk), {"type": ECHO_FRAME, "text": text})


class ChatConsumer(AuthenticatedJsonConsumer):
    """`/ws/chat/<room>/`: the last messages on join, then messages and presence live.

    Client frames: `{"type": "message", "text": "..."}`. The author is always the
    logged-in user. Messages over 2,000 characters, or past 10 per second per user,
    get an error frame and are not sent. Messages arrive in `{"type": "messages"}`
    frames, batched per room (see chat.outbox).
    """

    passthrough_messages = frozenset({CHAT_MESSAGE, CHAT_PRESENCE})
    room = None

    async def group_names(self) -> list[str]:
        try:
            name = rooms.clean_room_name(self.scope["url_route"]["kwargs"]["room"])
        except ValueError as exc:
            self.room_problem = str(exc)
            return []
        self.room = await database_sync_to_async(rooms.open_room)(name)
        return [self.room.group]

    async def welcome(self) -> None:
        if self.room is None:
            await self.send_error(self.room_problem)
            await self.close(code=CLOSE_BAD_ROOM)
            return
        messages = await database_sync_to_async(rooms.recent_messages)(self.room.pk)
        await self.send_json(
            {"type": "history", "room": self.room.name, "archived": self.room.archived, "messages": messages}
        )
        await presence.enter(self.room.pk, self.channel_name, self.scope["user"].get_username())
        await self.announce_presence()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.room is not None:
            await presence.leave(self.room.pk, self.channel_name)
            await self.announce_presence()

    async def announce_presence(self) -> None:
        text = json.dumps({"type": "presence", "users": await presence.present(self.room.pk)})
        await self.channel_layer.group_send(self.room.group, {"type": CHAT_PRESENCE, "text": text})

    async def on_message(self, content: dict) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            await self.send_error('a message needs a non-empty "text"')
            return
        if len(text) > ChatMessage.MAX_LENGTH:
            await self.send_error(f"message too long: {len(text)} characters, at most {ChatMessage.MAX_LENGTH}")
            return
        user = self.scope["user"]
        if not await presence.allow_message(user.pk):
            await self.send_error(f"too many messages: at most {presence.MESSAGES_PER_SECOND} per second")
            return
        # Saved (through database_sync_to_async) and sent with the room's next batch.
        outbox.post(self.room, user, self.channel_name, text)
