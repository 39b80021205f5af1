"""The people-facing sockets: a personal echo channel and chat rooms."""

import json
import time

from channels.db import database_sync_to_async

from monitor import alerting, chat, chat_outbox
from monitor.models import ChatMessage
from NetWorkMonitor.websocket import AuthenticatedJsonConsumer

# Closes a chat socket whose room name cannot be used (after an error frame saying why).
CLOSE_BAD_ROOM = 4400


def echo_group(user_id: int) -> str:
    return f"echo.user.{int(user_id)}"


class EchoConsumer(AuthenticatedJsonConsumer):
    """Every frame a user sends comes back, as `{"type": "echo", "data": <frame>}`, to all of
    that user's open sockets and to nobody else's. The group is built from the user id."""

    passthrough_messages = frozenset({"echo.frame"})

    async def group_names(self) -> list[str]:
        return [echo_group(self.scope["user"].pk)]

    async def receive_json(self, content: dict, **kwargs) -> None:
        if content["type"] == "ping":
            await self.on_ping(content)
            return
        text = json.dumps({"type": "echo", "data": content, "ts": time.time()})
        await self.channel_layer.group_send(echo_group(self.scope["user"].pk), {"type": "echo.frame", "text": text})


class ChatConsumer(AuthenticatedJsonConsumer):
    """`/ws/chat/<room>/`: the last messages on join, then messages and presence live.

    Client frames: `{"type": "message", "text": "..."}`. The author is always the
    logged-in user. Messages over 2,000 characters, or past 10 per second per user,
    get an error frame and are not sent. Messages arrive in `{"type": "messages"}`
    frames, batched per room (see chat_outbox).
    """

    passthrough_messages = frozenset({"chat.message", "chat.presence"})
    room = None

    async def group_names(self) -> list[str]:
        try:
            name = chat.clean_room_name(self.scope["url_route"]["kwargs"]["room"])
        except ValueError as exc:
            self.room_problem = str(exc)
            return []
        self.room = await database_sync_to_async(chat.open_room)(name)
        return [self.room.group]

    async def welcome(self) -> None:
        if self.room is None:
            await self.send_error(self.room_problem)
            await self.close(code=CLOSE_BAD_ROOM)
            return
        messages = await database_sync_to_async(chat.recent_messages)(self.room.pk)
        await self.send_json(
            {"type": "history", "room": self.room.name, "archived": self.room.archived, "messages": messages}
        )
        await chat.enter(self.room.pk, self.channel_name, self.scope["user"].get_username())
        await self.announce_presence()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.room is not None:
            await chat.leave(self.room.pk, self.channel_name)
            await self.announce_presence()

    async def announce_presence(self) -> None:
        text = json.dumps({"type": "presence", "users": await chat.present(self.room.pk)})
        await self.channel_layer.group_send(self.room.group, {"type": "chat.presence", "text": text})

    async def on_message(self, content: dict) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            await self.send_error('a message needs a non-empty "text"')
            return
        if len(text) > ChatMessage.MAX_LENGTH:
            await self.send_error(f"message too long: {len(text)} characters, at most {ChatMessage.MAX_LENGTH}")
            return
        user = self.scope["user"]
        if not await chat.allow_message(user.pk):
            await self.send_error(f"too many messages: at most {chat.MESSAGES_PER_SECOND} per second")
            return
        # Saved (through database_sync_to_async) and sent with the room's next batch.
        chat_outbox.post(self.room, user, self.channel_name, text)


class AlertConsumer(AuthenticatedJsonConsumer):
    """`/ws/alerts/`: the user's own alert channel.

    On connect `{"type": "alerts", "alerts": [...]}` with the user's open alerts;
    then `{"type": "alert", "event": "firing" | "resolved" | "acknowledged", "alert":
    {...}}` as they happen. `{"type": "ack", "id": <alert id>}` acknowledges one of
    the user's alerts; every recipient sees the acknowledgement at once.
    """

    passthrough_messages = frozenset({"alert.frame"})

    async def group_names(self) -> list[str]:
        return [alerting.user_group(self.scope["user"].pk)]

    async def welcome(self) -> None:
        alerts = await database_sync_to_async(alerting.open_alerts_for)(self.scope["user"])
        await self.send_json({"type": "alerts", "alerts": alerts})

    async def on_ack(self, content: dict) -> None:
        alert_id = content.get("id")
        if type(alert_id) is not int:
            await self.send_error('"id" must be the id of an alert')
            return
        try:
            await database_sync_to_async(alerting.acknowledge)(alert_id, self.scope["user"])
        except alerting.NotYours as exc:
            await self.send_error(str(exc))
