"""The base every WebSocket consumer shares: login required, JSON frames, errors as frames."""

import asyncio
import contextlib
import json
import logging
import math

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from core.contracts.groups import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED, session_group, user_group
from core.contracts.protocol import frame
from core.redis_io import redis_link
from core.sockets import open_sockets, socket_auth

# Closes a socket over the per-user limit (mirrors HTTP 429).
CLOSE_TOO_MANY = 4429
# The close code of a connection that ended without a close frame (RFC 6455).
CLOSE_ABNORMAL = 1006

logger = logging.getLogger(__name__)


class NotJson(ValueError):
    """NaN, Infinity or a number too large for a double: Python reads them, JSON has no such values."""


def refuse_constant(name: str):
    raise NotJson(f"{name} is not JSON")


def finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 would come back as Infinity
        raise NotJson(f"{text[:30]} is out of range")
    return value


def decode_json(text: str):
    """Strict JSON (RFC 8259): what Python's parser accepts beyond it is refused."""
    return json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)


def encode_json(content) -> str:
    """Raises ValueError rather than send NaN or Infinity, which no JSON parser reads."""
    return json.dumps(content, allow_nan=False)


def too_deep(value, limit: int) -> bool:
    """True when `value` nests lists or objects more than `limit` levels deep (walked without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    """Accepts logged-in users only and speaks JSON objects that carry a "type".

    Subclasses list their groups in `group_names()`, send initial state in
    `welcome()` and handle client frames in `on_<type>` methods. A frame that is
    not JSON, not an object, or of an unknown type is answered with an
    `{"type": "error"}` frame; the socket stays open.
    """

    # Group message types that carry a frame encoded once by the sender (in "text"):
    # it goes to the socket as it is, straight from dispatch.
    passthrough_messages: frozenset[str] = frozenset()
    # Larger client frames are refused before they are parsed.
    max_frame_chars = 64 * 1024
    # No frame of ours nests deeper; deeper ones would only cost each handler time.
    max_frame_depth = 16
    disconnected = False

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if not self.disconnected:
                # Ended without its disconnect: daphne cancels a consumer still busy 10 s after
                # its client left (a connect waiting on Redis). Its place under the user's cap
                # and its presence would otherwise be renewed by this process for ever.
                try:
                    await asyncio.shield(self.disconnect(CLOSE_ABNORMAL))
                except Exception:
                    logger.warning("a socket's holdings not released on its end", exc_info=True)

    async def dispatch(self, message: dict) -> None:
        if message["type"] in self.passthrough_messages:
            await self.send(text_data=message["text"])
            return
        # Channels' own dispatch first runs close_old_connections() through sync_to_async:
        # a hop to the process's one database thread for every message, handshakes and
        # closes included. Fanning one stats frame out to 500 sockets spent most of its
        # time queueing for that thread, and in a storm of handshakes the hops were 7 %
        # of a web process's time. Every ORM call of these consumers goes through
        # database_sync_to_async, which closes old connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']!r}")
        await handler(message)

    async def connect(self) -> None:
        self.joined: list[str] = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first: a close before accept becomes an HTTP 403 and the
            # browser never sees the 4401 that tells it to log in again.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await open_sockets.take(user.pk, self.channel_name, settings.WS_MAX_SOCKETS_PER_USER):
            await self.accept()
            await self.send_error(f"too many open sockets: at most {settings.WS_MAX_SOCKETS_PER_USER} per user")
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.counted_user = user.pk
        groups = [user_group(user.pk), *await self.group_names()]
        if session_key := getattr(self.scope.get("session"), "session_key", None):
            groups.append(session_group(session_key))
        self.joined = groups
        try:
            await self.join()
        except redis_link.REDIS_DOWN:
            joined = False
        else:
            joined = True
        await self.accept()
        link = redis_link.link()
        link.watch(self)
        if joined:
            try:
                await self.welcome()
            except redis_link.REDIS_DOWN:
                joined = False
        if not joined:  # joined again, and welcomed, when Redis answers
            await link.lost()

    async def join(self) -> None:
        for group in self.joined:  # a group already joined is left as it is
            await self.channel_layer.group_add(group, self.channel_name)

    async def link_changed(self, live: bool) -> None:
        """This process lost Redis, or has it again (core.redis_io.redis_link): the page says so, then catches up."""
        if live:
            await self.join()
            await self.welcome()  # what changed meanwhile; the page drops what it already shows
        await self.send_json(frame("link", live=live))

    async def disconnect(self, code: int) -> None:
        self.disconnected = True
        redis_link.link().unwatch(self)
        if (user_id := getattr(self, "counted_user", None)) is not None:
            await open_sockets.release(user_id, self.channel_name)
            self.counted_user = None
        for group in getattr(self, "joined", []):
            # A Redis that does not answer holds no subscription of this socket's either.
            with contextlib.suppress(*redis_link.REDIS_DOWN):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def group_names(self) -> list[str]:
        return []

    async def access_changed(self, message: dict) -> None:
        """Logged out, deactivated or a role changed (accounts.access): this socket's rights are stale."""
        await self.close(code=int(message["text"]))

    async def session_check(self, message: dict) -> None:
        """The user's password changed (accounts.access): a socket whose session no longer signs
        this user in closes. The sessions of all the process's sockets are read in one trip."""
        try:
            _, user = await socket_auth.lookups().get(getattr(self.scope.get("session"), "session_key", None))
        except Exception:  # unread, it is not known to be good: the reconnect authenticates afresh
            logger.warning("a socket's session not read again; closed to reconnect", exc_info=True)
            await self.close(code=CLOSE_RECONNECT)
            return
        if user.pk != self.scope["user"].pk:
            await self.close(code=CLOSE_UNAUTHENTICATED)

    async def welcome(self) -> None:
        """Send whatever a freshly connected client needs to draw its page."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("binary frames are not supported; send JSON text")
            return
        if len(text_data) > self.max_frame_chars:
            await self.send_error(f"frame too large: at most {self.max_frame_chars} characters")
            return
        try:
            content = decode_json(text_data)
        except NotJson as error:
            await self.send_error(f"malformed JSON: {error}")
            return
        except ValueError:
            await self.send_error("malformed JSON")
            return
        except RecursionError:  # e.g. 30,000 nested brackets: the parser gives up, the socket must not
            await self.send_error("JSON nested too deeply")
            return
        if too_deep(content, self.max_frame_depth):
            await self.send_error(f"JSON nested too deeply: at most {self.max_frame_depth} levels")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error('a frame must be a JSON object with a string "type"')
            return
        await self.receive_json(content)

    @classmethod
    async def encode_json(cls, content) -> str:
        return encode_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        handler = getattr(self, "on_" + content["type"].replace(".", "_"), None)
        if handler is None:
            await self.send_error(f"unknown frame type {content['type'][:50]!r}")
            return
        await handler(content)

    async def on_ping(self, content: dict) -> None:
        await self.send_json(frame("pong"))

    async def send_error(self, message: str) -> None:
        await self.send_json(frame("error", message=message))
