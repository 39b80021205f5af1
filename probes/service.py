"""The probes process: writes the results of the probes it owns; one of them also publishes
assignments and watches the probes' leases.

Any number run side by side (on other hosts, or a second one started by mistake): each
probe's stream is owned by one at a time (probes.intake), shared out by a coordinator
(stats.shards.coordinator) that also gives one process the installation's duties. The
intake and the coordinator each loop in a supervised thread (core.supervision): a failure
is logged and the loop started again; while the database or Redis is away nothing is
saved, so the probes' results wait in their streams and on their disks.
"""

import asyncio
import logging
import signal
import threading
import time

import redis
from django.db import DatabaseError, close_old_connections

from core.contracts import signals
from core.redis_io.redis_clients import sync_redis
from core.supervision import supervised_thread
from monitor.results import Recorded
from probes import credentials, presence
from probes.handover import DatagramIntake
from probes.intake import GROUP, ProbeIntake
from probes.models import Probe
from probes.publishing import Publisher
from stats.shards import members
from stats.shards.coordinator import STEP_S, Coordinator
from stats.shards.leases import LEASE_MS
from stats.shards.shard import Shard

logger = logging.getLogger(__name__)

PART, DATAGRAMS_PART, SHARE = "probe intake", "probe datagrams", "probe shares"
# Building every probe's document reads all their checks: not more often than this (a changed
# check reaches its probe within this and the probe's own refresh, 5 s).
PUBLISH_EVERY_S = 10.0
PRESENCE_EVERY_S = 1.0
RESTORE_EVERY_S = 10.0
RETRY_S = 1.0


def announce(recorded: Recorded | None) -> None:
    """Live frames and alert rules for what changed (core.contracts.signals.results_recorded)."""
    if recorded and (recorded.results or recorded.hosts):
        signals.send_logged(signals.results_recorded, Probe, recorded=recorded)


class Service:
    def __init__(self, shard: Shard) -> None:
        self.shard = shard
        self.intake = ProbeIntake(shard, announce=announce)
        self.publisher = Publisher()
        self.due = {"publish": 0.0, "presence": 0.0, "restore": 0.0}

    def every(self, name: str, period: float) -> bool:
        now = time.monotonic()
        if now < self.due[name]:
            return False
        self.due[name] = now + period
        return True

    def step(self) -> None:
        if self.shard.leader:  # the installation's duties: one process does them
            try:
                self.duties()
            except (DatabaseError, redis.RedisError) as error:  # the intake goes on: it may have streams to hand over
                logger.warning("probe duties paused (%s: %s)", type(error).__name__, error)
                close_old_connections()
        self.intake.step()

    def duties(self) -> None:
        client = sync_redis()
        if self.every("restore", RESTORE_EVERY_S):
            credentials.restore()
        if self.every("publish", PUBLISH_EVERY_S):
            self.publisher.publish(client)
        if self.every("presence", PRESENCE_EVERY_S):
            announce(presence.watch(client, time.time()))

    def run(self, stop: threading.Event) -> None:
        credentials.restore(everyone=True)  # users made by an older release get today's rules
        while not stop.is_set():
            try:
                self.step()
            except (DatabaseError, redis.RedisError) as error:
                logger.warning("probe intake paused (%s: %s); results wait in the streams", type(error).__name__, error)
                self.intake.cursors.clear()  # what it read but could not save: read again from the saved positions
                close_old_connections()
                stop.wait(RETRY_S)


def hand_over(intake: DatagramIntake, stop: threading.Event) -> None:
    """The datagram streams of the probes this process owns, in a loop of their own: a flood of
    flows never delays the results."""
    while not stop.is_set():
        try:
            intake.step()
        except (DatabaseError, redis.RedisError) as error:
            logger.warning("probe datagrams paused (%s: %s); they wait in the streams", type(error).__name__, error)
            intake.cursors.clear()  # what it read but could not save: read again from the saved positions
            close_old_connections()
            stop.wait(RETRY_S)


async def coordinate(coordinator: Coordinator, stop: threading.Event) -> None:
    await coordinator.step()
    logger.info("probes running as %s: writing the results of %d probes", coordinator.shard.me,
                len(coordinator.shard.held()))  # fmt: skip
    while not stop.is_set():
        await asyncio.sleep(STEP_S)
        await coordinator.step()


def run() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    shard = Shard(members.new_member_name(), group=GROUP, relayed=False)
    service = Service(shard)
    coordinator = Coordinator(shard, service.intake.probe_names, announce=False)
    datagrams = DatagramIntake(shard)
    worker = supervised_thread(PART, lambda: service.run(stop), stop, shared=True)
    handing_over = supervised_thread(DATAGRAMS_PART, lambda: hand_over(datagrams, stop), stop, shared=True)
    sharing = supervised_thread(SHARE, lambda: asyncio.run(coordinate(coordinator, stop)), stop, shared=True)
    logger.info("probes: publishing assignments and writing probes' results and datagrams, as %s", shard.me)
    while worker.is_alive() and handing_over.is_alive() and not stop.wait(1.0):
        pass
    stop.set()
    worker.join(30)  # lets the batches in hand commit
    handing_over.join(30)
    sharing.join(5)
    try:
        coordinator.leave()  # the others take its probes now, not when its leases end
    except redis.RedisError:
        logger.warning("could not give up this process's leases; they end within %d s", LEASE_MS // 1000)
