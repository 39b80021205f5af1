"""The probes' datagram streams handed to the events and flows apps, exactly once.

What a probe's receivers took (netmon_probe.receivers) is read as the results are
(probes.intake: by the probes process that holds the probe's lease, from the position
saved in the database) and sent as `datagrams_forwarded` (core.contracts.signals) inside
the transaction that saves the stream's position and checks the lease's token: the
events and flows apps store them in it, so after a restart or a handover the entries
read again are at or before the position, and skipped. probes imports
neither app: the signal is the seam. An entry that is not a probe's datagram is counted
(in Redis, per probe and reason, for `manage.py probes list` and the tests) and dropped.
"""

import logging
from collections import Counter

from django.conf import settings
from django.db import transaction

from core.contracts import signals
from core.redis_io.redis_clients import sync_redis
from netmon_probe import datagrams, keys
from probes import recording
from probes.entries import field
from probes.intake import ProbeIntake
from probes.models import Probe
from stats.streams import as_text, entry_position

logger = logging.getLogger(__name__)


def dropped_key() -> str:
    return f"{settings.REDIS_PREFIX}:probes:datagrams:dropped"


def save(name: str, stream_entries: list[tuple[str, dict]], token: int | None = None) -> tuple[int, Counter[str]]:
    """A probe's entries handed over in one transaction with its position: (how many, malformed by reason).

    `token`: the lease under which they were read (recording.fence)."""
    malformed: Counter[str] = Counter()
    with transaction.atomic():
        probe = Probe.objects.select_for_update().filter(name=name).first()
        if probe is None:
            return 0, malformed  # revoked meanwhile
        recording.fence(probe, token)
        done = entry_position(probe.datagram_position)
        fresh = [(entry_id, fields) for entry_id, fields in stream_entries if entry_position(entry_id) > done]
        if not fresh:
            return 0, malformed
        taken = []
        for _, fields in fresh:
            try:
                sequence = _sequence(field(fields, keys.SEQUENCE_FIELD))
                datagram = datagrams.parsed(field(fields, keys.ENTRY_FIELD) or b"")
            except datagrams.BadEntry as error:
                malformed[str(error)] += 1
                continue
            if _seen(probe.datagram_sequence, sequence):
                continue  # sent again: the probe did not get Redis's reply the first time
            taken.append(datagram)
            probe.datagram_sequence = sequence
        if taken:
            signals.datagrams_forwarded.send(sender=Probe, probe=name, datagrams=taken)
        probe.datagram_position = fresh[-1][0]
        probe.save(update_fields=["datagram_position", "datagram_sequence", "lease_token"])
    return len(taken), malformed


def _sequence(raw) -> str:
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    origin, _, number = (text or "").partition(":")
    if not origin or len(text) > 80 or not number.isdigit():
        raise datagrams.BadEntry("no sequence number")
    return text


def _seen(last: str, sequence: str) -> bool:
    """At or before the last one taken from the same buffer (another buffer: the probe's disk is a new one)."""
    last_origin, _, last_number = last.partition(":")
    origin, _, number = sequence.partition(":")
    return origin == last_origin and int(number) <= int(last_number)


class DatagramIntake(ProbeIntake):
    """In a thread of its own (probes.service): a flood of flows never delays the results."""

    position_field = "datagram_position"

    @staticmethod
    def key_of(name: str) -> str:
        return keys.datagrams_key(settings.REDIS_PREFIX, name)

    def owned(self) -> set[str]:
        """The probes whose leases this process holds; the results intake answers the handovers."""
        held = set(self.shard.held())
        for name in self.cursors.keys() - held:
            del self.cursors[name]
        return held

    def record(self, name: str, stream_entries: list, token: int) -> int:
        count, malformed = save(name, [(as_text(entry_id), fields) for entry_id, fields in stream_entries], token)
        if malformed:
            logger.warning("probe %r: %d entries were not datagrams and were dropped: %s",
                           name, malformed.total(), dict(malformed))  # fmt: skip
            with sync_redis().pipeline(transaction=False) as pipe:
                for reason, n in malformed.items():
                    pipe.hincrby(dropped_key(), f"{reason}|{name}", n)
                pipe.execute()
        return count
