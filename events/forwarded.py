"""Traps and syslog a probe's receivers took (core.contracts.signals.datagrams_forwarded), read and
stored as this app's own receiver does: the same readers, per-source buckets, device stamp by
source address, storage, drop counts, live frames and alert rules.

Runs in the probes process, inside the transaction that saves the probe's stream position
(probes.handover): an event is stored once, whatever restarts. The buckets run on the probe's
clock (when its receiver took each datagram), so a backlog delivered after an outage is not
taken for a burst. SNMPv3 is not read here (its engine state lives in the events receiver),
and an INFORM is not answered: the probe does not decode, so it cannot (docs/features/events.md).
"""

import functools
import logging
import math
import queue
import time

import redis
from django.db import transaction

from core.contracts import signals
from core.contracts.groups import STATS_FRAME
from core.redis_io.publisher import publisher
from core.redis_io.redis_clients import sync_redis
from events import counters, live, sources, writer
from events.intake import Intake
from events.mibs import names
from events.models import Event
from events.sources import normal_address
from events.syslog_listeners import take_message
from events.trap_listener import notification_of
from events.traps import event_of
from netmon_probe.datagrams import SYSLOG, TRAP

logger = logging.getLogger(__name__)

V3_NOT_READ = "SNMPv3 through a probe is not read"


class ForwardedIntake(Intake):
    """One probe's intake: its sources' buckets and drop counts, clocked by the probe's receive times."""

    def __init__(self, probe: str) -> None:
        super().__init__()
        self.probe, self.clock = probe, 0.0
        self.written: dict[tuple[str, str], int] = {}  # drop counts already in Redis

    def now(self) -> float:
        return self.clock

    def drained(self) -> list:
        batch = []
        while True:
            try:
                batch.append(self.to_write.get_nowait())
            except queue.Empty:
                return batch


class Forwarded:
    def __init__(self) -> None:
        self.intakes: dict[str, ForwardedIntake] = {}
        self.directory, self.loaded = sources.Directory(), -math.inf

    def receive(self, sender, probe: str, datagrams: list, **kwargs) -> None:
        mine = [d for d in datagrams if d.receiver in (TRAP, SYSLOG)]
        if not mine:
            return
        if time.monotonic() - self.loaded >= sources.RELOAD_S:
            self.directory, self.loaded = sources.load(), time.monotonic()
        intake = self.intakes.setdefault(probe, ForwardedIntake(probe))
        intake.directory = self.directory
        try:
            self.read(intake, mine)
        except BaseException:
            # The transaction rolls back and the batch is read again: with fresh buckets, not ones it already drained.
            del self.intakes[probe]
            raise

    def read(self, intake: ForwardedIntake, mine: list) -> None:
        for datagram in mine:
            source = normal_address(datagram.source)
            intake.clock = max(intake.clock, datagram.received)  # a bucket's clock never goes back
            if not intake.admit(source):
                continue
            if datagram.receiver == SYSLOG:
                take_message(intake, source, datagram.payload, datagram.received)
            else:
                self.take_trap(intake, source, datagram)
        batch = intake.drained()
        interfaces = writer.store(batch) if batch else []
        frames = live.frames(intake.take_live())
        transaction.on_commit(lambda: self.committed(intake, batch, interfaces, frames))

    @staticmethod
    def take_trap(intake: ForwardedIntake, source: str, datagram) -> None:
        notification = notification_of(intake, source, datagram.payload, lambda: intake.bad(source, V3_NOT_READ))
        if notification is not None:
            varbinds, name = notification.varbinds, names().name
            intake.take(event_of(notification.trap_oid, varbinds, source, datagram.received, name))

    def committed(self, intake: ForwardedIntake, batch: list, interfaces: list, frames: list) -> None:
        if batch:
            signals.send_logged(signals.events_recorded, Event, events=batch, interfaces=interfaces)
        try:
            if frames:
                publisher().publish([(group, STATS_FRAME, text) for group, text in frames])
            self.count_drops(intake)
        except (redis.RedisError, OSError, TimeoutError) as error:  # the events are stored: pages catch up
            logger.warning("live events or counts of probe %r not sent (%s)", intake.probe, type(error).__name__)

    @staticmethod
    def count_drops(intake: ForwardedIntake) -> None:
        """New drops into the Events page's counts, each source named with the probe it came through."""
        grown = {key: n - intake.written.get(key, 0) for key, n in intake.drops.counts.items()}
        grown = {key: n for key, n in grown.items() if n}
        if not grown:
            return
        with sync_redis().pipeline(transaction=False) as pipe:
            for (source, reason), n in grown.items():
                pipe.hincrby(counters.drops_key(), f"{reason}|{source} via probe {intake.probe}", n)
            pipe.execute()
        intake.written.update(intake.drops.counts)


@functools.cache
def forwarded() -> Forwarded:
    return Forwarded()


def receive(sender, **kwargs) -> None:
    forwarded().receive(sender, **kwargs)
