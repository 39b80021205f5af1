"""The probes process: publishes assignments, watches leases, and writes the probes' results.

One loop in a supervised thread (core.supervision): a failure is logged and the loop is
started again; while the database or Redis is away nothing is acknowledged, so the
probes' results wait in their streams and on their disks.
"""

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
from probes.intake import ProbeIntake
from probes.models import Probe
from probes.publishing import Publisher

logger = logging.getLogger(__name__)

PART, DATAGRAMS_PART = "probe intake", "probe datagrams"
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
    def __init__(self) -> None:
        self.intake = ProbeIntake(announce=announce)
        self.publisher = Publisher()
        self.due = {"publish": 0.0, "presence": 0.0, "restore": 0.0}

    def every(self, name: str, period: float) -> bool:
        now = time.monotonic()
        if now < self.due[name]:
            return False
        self.due[name] = now + period
        return True

    def step(self) -> None:
        client = sync_redis()
        if self.every("restore", RESTORE_EVERY_S):
            credentials.restore()
        if self.every("publish", PUBLISH_EVERY_S):
            self.publisher.publish(client)
        if self.every("presence", PRESENCE_EVERY_S):
            announce(presence.watch(client, time.time()))
        self.intake.step()

    def run(self, stop: threading.Event) -> None:
        credentials.restore(everyone=True)  # users made by an older release get today's rules
        while not stop.is_set():
            try:
                self.step()
            except (DatabaseError, redis.RedisError) as error:
                logger.warning("probe intake paused (%s: %s); results wait in the streams", type(error).__name__, error)
                # What it read but could not save waits unacknowledged: read it again from the start.
                self.intake.recovered.clear()
                close_old_connections()
                stop.wait(RETRY_S)


def hand_over(intake: DatagramIntake, stop: threading.Event) -> None:
    """The datagram streams, in a loop of their own: a flood of flows never delays the results."""
    while not stop.is_set():
        try:
            intake.step()
        except (DatabaseError, redis.RedisError) as error:
            logger.warning("probe datagrams paused (%s: %s); they wait in the streams", type(error).__name__, error)
            intake.recovered.clear()
            close_old_connections()
            stop.wait(RETRY_S)


def run() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    service, datagrams = Service(), DatagramIntake()
    workers = [
        supervised_thread(PART, lambda: service.run(stop), stop, shared=True),
        supervised_thread(DATAGRAMS_PART, lambda: hand_over(datagrams, stop), stop, shared=True),
    ]
    logger.info("probes: publishing assignments and writing every probe's results and datagrams")
    while all(worker.is_alive() for worker in workers) and not stop.wait(1.0):
        pass
    stop.set()
    for worker in workers:
        worker.join(30)
