"""The probes' streams into the check results, exactly once, each stream read by one probes process.

Each probe's stream belongs to one probes process at a time (stats.shards: members,
rendezvous assignment, leases with fencing, under the group "probes"). Its owner reads it
from the position saved with the results (Probe.stream_position), saves each batch with
its new position and its lease's token in one transaction, then trims the stream to it.
Nothing read is held between steps, so a stream given to another process is let go of
at the next step; its new owner starts from the saved position. A process frozen past its
lease that wakes mid-write is refused by the token (probes.recording.Fenced), so an
earlier batch is never committed after a later one. While the database is down nothing is
saved and entries wait in Redis (and, past its cap, on the probe's disk).
"""

import logging
import math
import time
from collections import Counter

from django.conf import settings

from core.redis_io.redis_clients import sync_client
from netmon_probe import keys
from probes import entries, recording
from probes.models import Probe
from stats.shards.shard import Shard
from stats.streams import as_text

logger = logging.getLogger(__name__)

GROUP = "probes"  # the probes processes' members and leases (stats.shards)
# Entries per stream per read, saved in one transaction: a probe catching up after an
# outage sends a slot of every check in a row, and each batch votes on every check once.
BATCH = 10_000
BLOCK_MS = 1000
REFRESH_PROBES_S = 2.0


def results_key(name: str) -> str:
    return keys.results_key(settings.REDIS_PREFIX, name)


class ProbeIntake:
    """The results streams. probes.handover.DatagramIntake reads the datagram streams the same
    way, under the same leases: a probe's two streams belong to the same probes process."""

    position_field = "stream_position"  # where a stream's last saved entry is kept (Probe)

    def __init__(self, shard: Shard, announce=lambda recorded: None) -> None:
        self.shard = shard
        self.redis = sync_client(socket_timeout=BLOCK_MS / 1000 + 5, socket_connect_timeout=5)
        self.announce = announce
        self.known: frozenset[str] = frozenset()  # every probe: the streams the probes processes share
        self._listed_at = -math.inf
        self.cursors: dict[str, str] = {}  # probe -> its last entry saved, for the probes read here
        self.refused: Counter[str] = Counter()  # probe -> entries that were not a probe's, dropped

    @staticmethod
    def key_of(name: str) -> str:
        return results_key(name)

    async def probe_names(self, redis) -> set[str]:
        """For the coordinator (stats.shards.coordinator): the streams to share out."""
        return set(self.known)

    def list_probes(self) -> frozenset[str]:
        if time.monotonic() - self._listed_at >= REFRESH_PROBES_S:
            self.known = frozenset(Probe.objects.values_list("name", flat=True))
            self._listed_at = time.monotonic()
        return self.known

    def owned(self) -> set[str]:
        """The probes whose streams are read here now. The results intake answers the shard's
        handovers: every batch read was saved in its step, so there is nothing to flush."""
        reading, leaving, lost = self.shard.intake_view()
        for name in leaving | lost:
            self.cursors.pop(name, None)  # read again from the saved position if it comes back
        self.shard.intake_released(leaving)
        return reading

    def step(self) -> int:
        """Read what arrived on the streams this process owns and save it; returns the count."""
        known = self.list_probes()
        reading = self.owned() & known
        if not reading:
            time.sleep(BLOCK_MS / 1000)
            return 0
        self.cursors.update(Probe.objects.filter(name__in=reading - self.cursors.keys()).values_list(
            "name", self.position_field))  # fmt: skip
        names = {self.key_of(name): name for name in sorted(reading) if name in self.cursors}
        if not names:
            return 0  # revoked meanwhile
        reply = self.redis.xread({key: self.cursors[name] for key, name in names.items()}, count=BATCH, block=BLOCK_MS)
        saved = 0
        for key, stream_entries in reply or []:
            if stream_entries:
                saved += self.save(names[as_text(key)], stream_entries)
        return saved

    def save(self, name: str, stream_entries: list) -> int:
        token = self.shard.held().get(name)
        if token is None:
            return 0  # its lease was lost meanwhile: its next owner reads it
        try:
            count = self.record(name, stream_entries, token)
        except recording.Fenced:
            logger.warning("probe %r: another probes process took its stream; left to it", name)
            self.cursors.pop(name, None)
            return 0
        last = as_text(stream_entries[-1][0])
        self.cursors[name] = last
        self.redis.xtrim(self.key_of(name), minid=last, approximate=False)  # older ones are saved
        return count

    def record(self, name: str, stream_entries: list, token: int) -> int:
        """Save a batch in one transaction with its position, under the lease `token`; returns how many were new."""
        batch = []
        for entry_id, fields in stream_entries:
            entry = entries.parsed(fields) if fields else None
            if entry is None and fields:
                self.refused[name] += 1
            batch.append((as_text(entry_id), entry))
        count, recorded = recording.save(name, batch, token)
        if self.refused[name]:
            logger.warning("probe %r: %d entries were not a probe's and were dropped", name, self.refused.pop(name))
        self.announce(recorded)
        return count
