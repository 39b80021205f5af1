"""The people-facing sockets: a personal echo channel and chat rooms."""

import json
import time

from channels.db import database_sync_to_async
from django.contrib.auth import HASH_SESSION_KEY
from django.utils import translation
from django.utils.translation import gettext_noop

from alerts import recording
from chat import outbox, presence, rooms
from chat.models import ChatMessage
from core.contracts.groups import CHAT_MESSAGE, CHAT_PRESENCE, ECHO_FRAME, echo_user_group, room_subject
from core.contracts.protocol import frame
from core.i18n.languages import languages_of
from core.redis_io import ratelimit
from core.sockets.consumers import AuthenticatedJsonConsumer, encode_json

# Closes a chat socket whose room cannot be used (after an error frame saying why).
CLOSE_BAD_ROOM = 4400
MESSAGES_PER_SECOND = 10
ECHO_FRAMES_PER_SECOND = 20
POST_PERMISSION = "chat.add_chatmessage"  # operators
ACK_COMMAND = "/ack"  # in an alert's room: acknowledges it


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
        if not await ratelimit.allow("echo", self.scope["user"].pk, ECHO_FRAMES_PER_SECOND):
            await self.send_error(f"too many frames: at most {ECHO_FRAMES_PER_SECOND} per second")
            return
        text = encode_json(frame("echo", data=content, ts=time.time()))
        await self.channel_layer.group_send(echo_user_group(self.scope["user"].pk), {"type": ECHO_FRAME, "text": text})


class ChatConsumer(AuthenticatedJsonConsumer):
    """`/ws/chat/<room>/`: the last messages on join, then messages and presence live.

    Client frames: `{"type": "message", "text": "...", "client_id": "..."}`. The
    author is always the logged-in user, who needs the operator role to post; a
    viewer reads. Messages over 2,000 characters, or past 10 per second per user, get
    an error frame and are not sent. Messages arrive in `{"type": "messages"}` frames,
    batched per room (see chat.outbox); once saved, the sender gets `{"type":
    "saved", "client_ids": [...]}`, so a client can resend what was not saved. A
    resend of a message saved already is confirmed again, not saved twice (chat.rooms).

    An alert's room `alert-<id>` is open to that alert's recipients and admins only; the
    message "/ack" there acknowledges the alert, as the bell does, and is posted too;
    a room that does not exist yet is made by a user with the operator role, at most
    rooms.NEW_ROOMS_PER_HOUR an hour.
    """

    passthrough_messages = frozenset({CHAT_MESSAGE, CHAT_PRESENCE})
    room = None

    async def group_names(self) -> list[str]:
        try:
            name = rooms.clean_room_name(self.scope["url_route"]["kwargs"]["room"])
        except ValueError as exc:
            self.room_problem = str(exc)
            return []
        user = self.scope["user"]
        try:
            self.room = await database_sync_to_async(rooms.existing_room)(name, user)
            if self.room is None:
                if not await ratelimit.allow("new-room", user.pk, rooms.NEW_ROOMS_PER_HOUR, 3600):
                    raise rooms.RoomRefused(f"too many new rooms: at most {rooms.NEW_ROOMS_PER_HOUR} an hour")
                self.room = await database_sync_to_async(rooms.new_room)(name, user)
        except rooms.RoomRefused as exc:
            self.room_problem = str(exc)
            return []
        self.may_post = await database_sync_to_async(user.has_perm)(POST_PERMISSION)
        self.language = (await database_sync_to_async(languages_of)([user.pk]))[user.pk]
        return [self.room.group]

    def said(self, message: str, **values) -> str:
        """`message` (marked with gettext_noop) in the user's language: shown under the chat form."""
        with translation.override(self.language):
            return translation.gettext(message) % values

    async def welcome(self) -> None:
        if self.room is None:
            await self.send_error(self.room_problem)
            await self.close(code=CLOSE_BAD_ROOM)
            return
        messages = await database_sync_to_async(rooms.recent_messages)(self.room.pk)
        await self.send_json(frame("history", room=self.room.name, archived=self.room.archived, messages=messages))
        await presence.enter(self.room.pk, self.channel_name, self.scope["user"].get_username())
        await self.announce_presence()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if self.room is not None:
            await presence.leave(self.room.pk, self.channel_name, self.scope["user"].get_username())
            await self.announce_presence()

    async def acknowledged(self, user) -> bool:
        """ "/ack" in an alert's room acknowledges that alert (and stops its escalation); False if refused."""
        kind, alert_id = room_subject(self.room.name)
        if kind != "alert":
            return True  # only a message elsewhere
        with translation.override(self.language):
            try:
                await database_sync_to_async(recording.acknowledge)(alert_id, user)
            except recording.NotYours as refusal:
                await self.send_error(str(refusal))
                return False
        return True

    async def announce_presence(self) -> None:
        text = json.dumps(frame("presence", users=await presence.present(self.room.pk)))
        await self.channel_layer.group_send(self.room.group, {"type": CHAT_PRESENCE, "text": text})

    async def on_message(self, content: dict) -> None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            await self.send_error(self.said(gettext_noop("A message needs some text.")))
            return
        if len(text) > ChatMessage.MAX_LENGTH:
            too_long = gettext_noop("Message too long: %(length)d characters, at most %(limit)d.")
            await self.send_error(self.said(too_long, length=len(text), limit=ChatMessage.MAX_LENGTH))
            return
        client_id = content.get("client_id")
        if client_id is not None and not (isinstance(client_id, str) and len(client_id) <= 64):
            await self.send_error('"client_id" must be a string of at most 64 characters')
            return
        if not self.may_post:
            await self.send_error(self.said(gettext_noop("Posting needs the operator role; viewers read.")))
            return
        user = self.scope["user"]
        if not await ratelimit.allow("chat", user.pk, MESSAGES_PER_SECOND):
            too_many = gettext_noop("Too many messages: at most %(limit)d per second.")
            await self.send_error(self.said(too_many, limit=MESSAGES_PER_SECOND))
            return
        if text.strip() == ACK_COMMAND and not await self.acknowledged(user):
            return
        # Saved (through database_sync_to_async) and sent with the room's next batch.
        session_hash = self.scope["session"].get(HASH_SESSION_KEY)
        outbox.post(self.room, user, self.channel_name, text, client_id, session_hash)
