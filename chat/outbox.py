"""Batches a room's messages in each server process: one save and one frame per batch.

A busy room fans every message out to every member: 200 people sending one message
a second each means 40,000 socket writes a second, one at a time. Messages posted
in the same short window (CHAT_BATCH_MS) are instead saved in one transaction and
sent as one `{"type": "messages"}` frame, so each member gets a few frames a second
whatever the room's traffic. The window bounds the added delay.

While the database does not answer, a batch is kept and tried again (with what is
posted meanwhile) for up to CHAT_SAVE_RETRY_S; its senders are told their messages wait.
Only a batch acknowledged with a "saved" frame is stored: anything else the page still
holds, and sends again after a reconnect (chat.rooms leaves out what was stored before).
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from chat import rooms
from core.contracts.groups import CHAT_MESSAGE
from core.contracts.protocol import frame
from core.per_loop import per_loop

logger = logging.getLogger(__name__)

RETRY_FIRST_S, RETRY_MAX_S = 0.5, 5.0


@dataclass(frozen=True)
class Posted:
    user_id: int
    username: str
    channel_name: str  # the sender's socket, told if the batch is refused
    text: str
    ts: float
    client_id: str | None = None  # the sender's name for the message, returned once it is saved
    session_hash: str | None = None  # the password hash the sender's session was signed in with


class RoomOutbox:
    def __init__(self, room_id: int, room_name: str, group: str) -> None:
        self.room_id, self.room_name, self.group = room_id, room_name, group
        self.pending: list[Posted] = []
        self.flush_task: asyncio.Task | None = None

    def post(self, posted: Posted) -> None:
        self.pending.append(posted)
        self.schedule()

    def schedule(self) -> None:
        """A flush for what is pending, unless one is under way (it takes what is pending when it saves)."""
        if self.flush_task is None and self.pending:
            self.flush_task = asyncio.get_running_loop().create_task(self.flush_soon())

    def flushed(self) -> None:
        self.flush_task = None
        self.schedule()  # what was posted during a slow or retried save

    async def flush_soon(self) -> None:
        await asyncio.sleep(settings.CHAT_BATCH_MS / 1000)
        layer = get_channel_layer()
        delay, give_up_at, told = RETRY_FIRST_S, time.monotonic() + settings.CHAT_SAVE_RETRY_S, set()
        while True:
            batch, self.pending = self.pending, []
            try:
                signed_in, saved = await database_sync_to_async(rooms.save_signed_in)(self.room_id, batch)
                break
            except Exception:
                if time.monotonic() >= give_up_at:
                    logger.exception("could not save %d messages in room %s; giving up", len(batch), self.room_id)
                    self.flushed()
                    await self.refuse(layer, batch, "the message could not be saved; please send it again")
                    return
                logger.warning("could not save %d messages in room %s; trying again", len(batch), self.room_id)
                self.pending = batch + self.pending  # in order, with what came meanwhile
                await self.tell_waiting(layer, told)
                await asyncio.sleep(delay)
                delay = min(2 * delay, RETRY_MAX_S)
        self.flushed()
        kept = set(map(id, signed_in))
        if ended := [posted for posted in batch if id(posted) not in kept]:
            await self.refuse(layer, ended, "your session has ended: sign in again to send")
        if saved is None:
            await self.refuse(layer, signed_in, "this room is archived: it takes no new messages")
            return
        if saved:
            text = json.dumps(frame("messages", room=self.room_name, messages=saved))
            await layer.group_send(self.group, {"type": CHAT_MESSAGE, "text": text})
        for channel, client_ids in client_ids_by(signed_in, "channel_name").items():
            if client_ids:
                text = json.dumps(frame("saved", client_ids=client_ids))
                await layer.send(channel, {"type": CHAT_MESSAGE, "text": text})

    async def tell_waiting(self, layer, told: set[str]) -> None:
        """Each sender of the waiting messages is told once (an error frame without client ids: the page keeps them)."""
        text = json.dumps(
            frame("error", message="the database is unavailable: messages wait and are saved when it is back")
        )
        for channel in {posted.channel_name for posted in self.pending} - told:
            await layer.send(channel, {"type": CHAT_MESSAGE, "text": text})
            told.add(channel)

    async def refuse(self, layer, batch: list[Posted], reason: str) -> None:
        for channel, client_ids in client_ids_by(batch, "channel_name").items():
            error = frame("error", message=reason, **({"client_ids": client_ids} if client_ids else {}))
            await layer.send(channel, {"type": CHAT_MESSAGE, "text": json.dumps(error)})


def client_ids_by(batch: list[Posted], field: str) -> dict:
    """Each sending socket ("channel_name") or user ("user_id") -> the client ids of its
    messages in the batch (those that had one)."""
    grouped: dict = {}
    for posted in batch:
        ids = grouped.setdefault(getattr(posted, field), [])
        if posted.client_id is not None:
            ids.append(posted.client_id)
    return grouped


# One outbox per room and event loop (daphne runs one loop; tests run many): room pk -> outbox.
_outboxes_here: Callable[[], dict[int, RoomOutbox]] = per_loop(dict)


def post(
    room, user, channel_name: str, text: str, client_id: str | None = None, session_hash: str | None = None
) -> None:
    """Queue a message for the room's next batch (call from the event loop); `session_hash` is
    the sender's session's, checked when the batch is saved."""
    rooms = _outboxes_here()
    outbox = rooms.get(room.pk)
    if outbox is None:
        outbox = rooms[room.pk] = RoomOutbox(room.pk, room.name, room.group)
    outbox.post(Posted(user.pk, user.get_username(), channel_name, text, time.time(), client_id, session_hash))
