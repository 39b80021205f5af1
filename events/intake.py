"""Where every message the listeners read goes: the per-source rate, the device stamp, and the
hand-over to the live path (events.live) and the writer thread (events.writer).

Runs on the receiver's event loop. Memory is bounded everywhere: buckets and drop
counts by source (netmon_probe.token_buckets, events.drops), the writer's backlog by BACKLOG, the
live buffer by LIVE_PER_DEVICE per device between two flushes.
"""

import queue
import time
from collections import defaultdict

from django.conf import settings

from events.drops import BACKLOG_FULL, RATE_LIMITED, Drops
from events.received import Received
from events.sources import Directory
from netmon_probe.token_buckets import TokenBuckets

BACKLOG = 50_000  # events waiting for the writer (tens of MB at most); past it new ones are dropped, counted
LIVE_PER_DEVICE = 200  # events of one device per live flush; a storm's excess is only stored


class Intake:
    def __init__(self) -> None:
        self.buckets = TokenBuckets(settings.EVENTS_RATE_PER_SOURCE, settings.EVENTS_BURST_PER_SOURCE)
        self.drops = Drops()
        self.directory = Directory()  # replaced by the writer thread (events.writer)
        self.to_write: queue.Queue[Received] = queue.Queue(BACKLOG)
        self.live: defaultdict[int, list[dict]] = defaultdict(list)
        self.taken = 0

    def admit(self, source: str) -> bool:
        """Within the source's rate? Asked before any parsing, so a flood costs little."""
        if self.buckets.take(source, self.now()):
            return True
        self.drops.count(source, RATE_LIMITED)
        return False

    def now(self) -> float:
        """The buckets' clock: monotonic seconds here, the probe's receive time for forwarded datagrams."""
        return time.monotonic()

    def bad(self, source: str, reason: str) -> None:
        self.drops.count(source, reason)

    def take(self, event: Received) -> None:
        event.device = self.directory.device_of(event.source)
        try:
            self.to_write.put_nowait(event)
        except queue.Full:
            self.drops.count(event.source, BACKLOG_FULL)
            return
        self.taken += 1
        if event.device is not None and len(pending := self.live[event.device]) < LIVE_PER_DEVICE:
            pending.append(event.live_fields())

    def take_live(self) -> dict[int, list[dict]]:
        live, self.live = self.live, defaultdict(list)
        return live
