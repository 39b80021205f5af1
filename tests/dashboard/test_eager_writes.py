"""Frames a web process sends at once (core.sockets.eager_writes), against a reader that falls behind."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from websockets.asyncio.client import connect

from bench.common import session_cookie
from core.contracts.groups import STATS_FRAME, STATS_GROUP
from tests import processes
from tests.faults.pages import Page
from tests.servers import free_port

pytestmark = pytest.mark.pipeline

FRAMES = 600
# 600 frames of 30 KB: 18 MB, more than the two sockets' kernel buffers hold, so the
# web process sends part of a frame at once and keeps the rest, and the frames behind it.
PADDING = "x" * 30_000


async def test_a_dashboard_that_reads_slowly_gets_every_frame_whole_and_in_order(alice):
    port, cookie = free_port(), await database_sync_to_async(session_cookie)(alice)
    with processes.serve(port, 1):
        page = Page(port, cookie)
        # max_queue=1: the client stops reading from its socket while a frame waits unread.
        page.ws = await connect(page.url, additional_headers=page.headers, max_queue=1, max_size=None)
        assert await page.answers()  # connected, and its socket is among the dashboards fed
        layer = get_channel_layer()
        for seq in range(FRAMES):
            frame = {"type": "stats", "host": "slow-reader-test", "seq": seq, "ts": time.time(), "pad": PADDING}
            await layer.group_send(STATS_GROUP, {"type": STATS_FRAME, "text": json.dumps(frame)})
        seqs = []
        while len(seqs) < FRAMES:
            frame = json.loads(await page.ws.recv())  # each one whole, or this fails
            if frame.get("host") == "slow-reader-test":
                assert frame["pad"] == PADDING
                seqs.append(frame["seq"])
        assert seqs == list(range(FRAMES))
        await page.ws.close()
