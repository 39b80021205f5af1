"""The probes' streams into the check results, exactly once, acknowledged only after the commit.

As the agents' ingest does (stats.intake): each probe's stream has a consumer group; a
batch is saved with the probe's stream position in one transaction, then acknowledged
and trimmed. While the database is down nothing is acknowledged and entries wait in
Redis (and, past its cap, on the probe's disk); after a crash between commit and
acknowledgement the entries read again are at or before the saved position, and skipped.
"""

import logging
import math
import socket
import time
from collections import Counter

import redis
from django.conf import settings

from core.redis_io.redis_clients import sync_client
from netmon_probe import keys
from probes import entries, recording
from probes.models import Probe
from stats.streams import as_text

logger = logging.getLogger(__name__)

GROUP = "probes"
# Entries per stream per read, saved in one transaction: a probe catching up after an
# outage sends a slot of every check in a row, and each batch votes on every check once.
BATCH = 10_000
BLOCK_MS = 1000
REFRESH_PROBES_S = 2.0


def results_key(name: str) -> str:
    return keys.results_key(settings.REDIS_PREFIX, name)


class ProbeIntake:
    """The results streams; probes.handover.DatagramIntake reads the datagram streams the same way."""

    group = GROUP

    def __init__(self, consumer: str | None = None, announce=lambda recorded: None) -> None:
        self.consumer = consumer or f"probes@{socket.gethostname()}"  # fixed per host: finds what it read before
        self.redis = sync_client(socket_timeout=BLOCK_MS / 1000 + 5, socket_connect_timeout=5)
        self.announce = announce
        self.grouped: set[str] = set()
        self.names: dict[str, str] = {}
        self._listed_at = -math.inf
        self.recovered: set[str] = set()
        self.refused: Counter[str] = Counter()  # probe -> entries that were not a probe's, dropped

    def streams(self) -> dict[str, str]:
        """stream key -> probe name, each with its consumer group."""
        if time.monotonic() - self._listed_at >= REFRESH_PROBES_S:
            self.names = {self.key_of(name): name for name in Probe.objects.values_list("name", flat=True)}
            self._listed_at = time.monotonic()
        for key in self.names.keys() - self.grouped:
            try:
                self.redis.xgroup_create(key, self.group, id="0", mkstream=True)
            except redis.ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise
            self.grouped.add(key)
        return self.names

    def step(self) -> int:
        """Read what arrived (first what this consumer read before a restart) and save it; returns the count."""
        names = self.streams()
        if not names:
            time.sleep(BLOCK_MS / 1000)
            return 0
        try:
            recovered = self.recover(names)
            streams = dict.fromkeys(names, ">")
            reply = self.redis.xreadgroup(self.group, self.consumer, streams, count=BATCH, block=BLOCK_MS)
        except redis.ResponseError as error:
            if "NOGROUP" in str(error):  # a stream deleted and made again (a probe revoked, then added)
                self.grouped.clear()
                self.recovered.clear()
                self._listed_at = -math.inf
                return 0
            raise
        saved = recovered
        for key, stream_entries in reply or []:
            key = as_text(key)
            if stream_entries:
                saved += self.save(key, names[key], stream_entries)
        return saved

    def recover(self, names: dict[str, str]) -> int:
        """Save what this consumer read of a stream before it stopped (or failed) but never acknowledged."""
        saved = 0
        for key, name in names.items():
            if key in self.recovered:
                continue
            while reply := self.redis.xreadgroup(self.group, self.consumer, {key: "0"}, count=BATCH):
                [(_, stream_entries)] = reply
                if not stream_entries:
                    break
                saved += self.save(key, name, stream_entries)
            self.recovered.add(key)
        return saved

    @staticmethod
    def key_of(name: str) -> str:
        return results_key(name)

    def save(self, key: str, name: str, stream_entries: list) -> int:
        """Record the entries, then acknowledge them and trim what was recorded from the stream."""
        count = self.record(name, stream_entries)
        ids = [as_text(entry_id) for entry_id, _ in stream_entries]
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.xack(key, self.group, *ids)
            pipe.xtrim(key, minid=ids[-1], approximate=False)  # older entries are in the database now
            pipe.execute()
        return count

    def record(self, name: str, stream_entries: list) -> int:
        batch = []
        for entry_id, fields in stream_entries:
            entry = entries.parsed(fields) if fields else None
            if entry is None and fields:
                self.refused[name] += 1
            batch.append((as_text(entry_id), entry))
        count, recorded = recording.save(name, batch)
        if self.refused[name]:
            logger.warning("probe %r: %d entries were not a probe's and were dropped", name, self.refused.pop(name))
        self.announce(recorded)
        return count
