"""/ws/status/<slug>/: a status page's readers hear of each change as it is published.

The one socket open to anonymous visitors, for public pages only, and read-only: it
carries the page's public document and nothing a reader sends changes anything.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from core.contracts.groups import CLOSE_UNAUTHENTICATED
from core.contracts.protocol import frame
from core.sockets.consumers import decode_json
from status.documents import Document
from status.hub import hub

CLOSE_NOT_FOUND = 4404  # no such page, or it was deleted (mirrors HTTP 404)
# Readers share one subscription per process (status.hub), not a channel each:
# an alias that names no channel layer gives the consumer none.
NO_CHANNEL_LAYER = "status-readers-have-no-channel-layer"


class StatusPageConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = NO_CHANNEL_LAYER

    async def connect(self) -> None:
        self.page_id = None
        await self.accept()  # before any close, so the browser sees the code, not an HTTP 403
        found = await hub().find(self.scope["url_route"]["kwargs"]["slug"])
        if found is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        page_id, public = found
        user = self.scope.get("user")
        if not public and not (user and user.is_authenticated):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.page_id = page_id
        document = await hub().join(page_id, self.push)
        if document is not None:
            await self.send(text_data=document.text)

    async def push(self, document: Document | None) -> None:
        if document is None:
            await self.close(code=CLOSE_NOT_FOUND)
        else:
            await self.send(text_data=document.text)

    async def disconnect(self, code: int) -> None:
        if self.page_id is not None:
            hub().leave(self.page_id, self.push)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            received = decode_json(text_data) if text_data and len(text_data) <= 1024 else None
        except (ValueError, RecursionError):
            received = None
        if isinstance(received, dict) and received.get("type") == "ping":
            await self.send(text_data=json.dumps(frame("pong")))
        else:
            await self.send(text_data=json.dumps(frame("error", message="this socket is read-only")))
