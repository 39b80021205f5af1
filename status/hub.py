"""Pushing status documents to the readers connected to this web process.

A public page may have thousands of readers. Each web process is one member of the
channel-layer group on which new documents are announced (status.publishing), fetches a
new document once, and writes it to its own readers' sockets: one message and one fetch
per change per process, instead of one channel-layer message per reader.
"""

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from core.contracts.groups import STATUS_PAGES_GROUP
from core.per_loop import per_loop
from core.supervision import supervised
from status import publishing
from status.documents import Document
from status.models import StatusPage

logger = logging.getLogger(__name__)

Push = Callable[[Document | None], Awaitable[None]]  # None: the page is gone
RETRY_S = 1.0
# Group memberships expire (channels-redis group_expiry) and vanish with a restarted
# Redis: the hub joins again this often, and then re-reads what its readers are shown.
REJOIN_S = 30.0


PAGE_TTL_S = 30.0


def _load(page_id: int) -> Document | None:
    return publishing.load(page_id)


def _find(slug: str) -> tuple[int, bool] | None:
    return StatusPage.objects.filter(slug=slug).values_list("pk", "public").first()


class Hub:
    def __init__(self) -> None:
        self.readers: dict[int, set[Push]] = defaultdict(set)
        self.latest: dict[int, Document] = {}
        self.listener: asyncio.Task | None = None
        self.subscribed = asyncio.Event()  # set while the announcements are heard
        # slug -> (page id, public, when read): a connect costs no database query. An
        # announcement of the page drops its entry, so an edit applies to the next connect.
        self.pages: dict[str, tuple[int, bool, float]] = {}

    async def find(self, slug: str) -> tuple[int, bool] | None:
        """The page's id and whether it is public; None when there is no such page."""
        known = self.pages.get(slug)
        if known is None or time.monotonic() - known[2] > PAGE_TTL_S:
            found = await database_sync_to_async(_find)(slug)
            if found is None:
                self.pages.pop(slug, None)
                return None
            known = self.pages[slug] = (*found, time.monotonic())
        return known[0], known[1]

    async def join(self, page_id: int, push: Push) -> Document | None:
        """Add a reader; returns the page's document to send it first."""
        if self.listener is None or self.listener.done():
            self.listener = asyncio.get_running_loop().create_task(
                supervised("status-hub", self._listen), name="status-hub"
            )
        self.readers[page_id].add(push)
        if page_id not in self.latest:
            document = await database_sync_to_async(_load)(page_id)
            if document is not None:
                self.latest[page_id] = document
        return self.latest.get(page_id)

    def leave(self, page_id: int, push: Push) -> None:
        readers = self.readers.get(page_id)
        if readers is not None:
            readers.discard(push)
            if not readers:
                del self.readers[page_id]
                self.latest.pop(page_id, None)

    async def stop(self) -> None:
        """Stop listening; the readers stay connected."""
        if self.listener is not None:
            self.listener.cancel()
            await asyncio.gather(self.listener, return_exceptions=True)
            self.listener = None

    async def _listen(self) -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel("status-hub.")
        keeper = asyncio.get_running_loop().create_task(self._keep_joined(layer, channel), name="status-hub-join")
        try:
            while True:
                try:
                    message = await layer.receive(channel)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # Redis gone: readers keep their last document meanwhile
                    logger.warning("status announcements unavailable (%s)", error)
                    await asyncio.sleep(RETRY_S)
                    continue
                await self.changed(int(message["text"]))
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _keep_joined(self, layer, channel: str) -> None:
        """Join the group, and again before the membership expires or after Redis came back;
        each time, catch up on announcements made while this process was not a member."""
        while True:
            try:
                await layer.group_add(STATUS_PAGES_GROUP, channel)
                self.subscribed.set()
                for page_id in list(self.readers):
                    await self.changed(page_id)
                await asyncio.sleep(REJOIN_S)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.subscribed.clear()
                logger.warning("could not join the status announcements (%s); retrying", error)
                await asyncio.sleep(RETRY_S)

    async def changed(self, page_id: int) -> None:
        self.pages = {slug: known for slug, known in self.pages.items() if known[0] != page_id}
        if page_id not in self.readers:
            return
        document = await database_sync_to_async(_load)(page_id)
        previous = self.latest.get(page_id)
        if document is not None and previous is not None and previous.etag == document.etag:
            return
        if document is None:
            self.latest.pop(page_id, None)
        else:
            self.latest[page_id] = document
        for push in list(self.readers.get(page_id, ())):
            try:
                await push(document)
            except Exception:  # one reader's closed socket must not stop the others
                logger.debug("could not push to a status reader", exc_info=True)


# This event loop's hub (one per web process; tests run a loop each).
hub: Callable[[], Hub] = per_loop(Hub)
