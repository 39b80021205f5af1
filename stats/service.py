"""The central ingest process (`manage.py ingest`): relay, presence watch and intake side by side.

- the relay (asyncio) passes every agent's frames to the dashboards as they arrive;
- the presence watch (asyncio, once a second) notices agents that went silent, a check
  dispatcher that did (celery beat stopped), and a database that does not answer;
- the intake (a thread: it waits on the database) writes history and evaluates rules.
The live path never waits for the database: with the database down, dashboards stay live.
Each runs supervised (core.supervision): one that fails is logged, started again and
named by /healthz meanwhile.
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import math
import signal
import threading
import time

import redis
from django.conf import settings
from django.db import close_old_connections

from core.contracts import signals
from core.supervision import supervised, supervised_thread
from core.web import health
from stats import streams
from stats.checked import Checked
from stats.intake import Intake
from stats.part_watch import DatabaseWatch, DispatchWatch
from stats.presence import Presence
from stats.relay import REFRESH_AGENTS_S, Relay, announce
from stats.shards import members
from stats.shards.coordinator import Coordinator
from stats.shards.leases import LEASE_MS
from stats.shards.shard import Shard

logger = logging.getLogger(__name__)

# Retries stay at most a second apart: dashboards are live again within seconds of Redis answering.
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 1.0
# The ingest's parts as /healthz names them while one is down (core.supervision).
RELAY, WATCH, INTAKE, SHARD = "ingest-relay", "ingest-watch", "ingest-intake", "ingest-shard"
PING_TIMEOUT_S = 2.0  # a database slower than this to answer SELECT 1 is shown as unavailable


async def keep_relaying(relay: Relay) -> None:
    delay, failing = RETRY_FIRST_S, False
    while True:
        try:
            await relay.relay_once()
        except (redis.RedisError, OSError) as error:
            if not failing:
                logger.error("relay paused (%s); retrying", type(error).__name__)
            failing = True
            await asyncio.sleep(delay)
            delay = min(2 * delay, RETRY_MAX_S)
            continue
        if failing:
            logger.info("relaying again")
        delay, failing = RETRY_FIRST_S, False


def tell_alerts(offline: list[str], back: list[str], now: float) -> None:
    """In the database thread: offline agents' rules are stepped every second, returning ones once."""
    close_old_connections()
    signals.send_logged(signals.agent_presence, Presence, offline=offline, back=back, ts=now)


def ping_database() -> None:
    close_old_connections()  # drops a connection the database broke
    health.ping_database()


async def database_answers(database: concurrent.futures.Executor) -> bool:
    try:
        await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(database, ping_database), PING_TIMEOUT_S)
    except (*health.DATABASE_DOWN, TimeoutError):
        return False
    return True


async def keep_watching(
    relay: Relay, presence: Presence, intake: Intake, database: concurrent.futures.Executor, shard: Shard
) -> None:
    """Each process watches its own agents; the one holding the installation's lease, the shared parts."""
    loop = asyncio.get_running_loop()
    dispatch, database_watch = DispatchWatch(), DatabaseWatch()
    while True:
        await asyncio.sleep(1.0)
        now = time.time()
        changes = presence.check(set(relay.names.values()), now)
        leader = shard.leader
        answers = await database_answers(database) if leader else True
        try:
            await announce(changes, presence, now)
            if leader:
                await dispatch.look(now)
                await database_watch.look(now, answers, intake.database_failing_since)
            else:  # told again by whoever takes the duty after this process
                dispatch, database_watch = DispatchWatch(), DatabaseWatch()
        except (redis.RedisError, OSError):
            logger.exception("could not announce agent states")
        if presence.offline or changes.came_back:
            await loop.run_in_executor(database, tell_alerts, sorted(presence.offline), changes.came_back, now)


async def serve_live(intake: Intake, coordinator: Coordinator) -> None:
    shard = coordinator.shard
    presence = Presence(settings.AGENT_OFFLINE_AFTER, started=time.time())
    relay = Relay(presence, shard, intake.checked)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="presence-db") as database:
        tasks = [
            asyncio.create_task(supervised(SHARD, coordinator.run, shared=True)),
            asyncio.create_task(supervised(RELAY, lambda: keep_relaying(relay), shared=True)),
            asyncio.create_task(
                supervised(WATCH, lambda: keep_watching(relay, presence, intake, database, shard), shared=True)
            ),
        ]
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: [task.cancel() for task in tasks])
        with contextlib.suppress(asyncio.CancelledError):  # SIGTERM: a clean stop
            await asyncio.gather(*tasks)


class AgentStreams:
    """The registered agents, read again every REFRESH_AGENTS_S: the streams the shards share."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.read_at = -math.inf

    async def __call__(self, redis) -> set[str]:
        if time.monotonic() - self.read_at >= REFRESH_AGENTS_S:
            self.names = streams.registered(await redis.smembers(streams.registry_key()))
            self.read_at = time.monotonic()
        return self.names


def run() -> None:
    shard = Shard(members.new_member_name())
    coordinator = Coordinator(shard, AgentStreams())
    stop, intake = threading.Event(), Intake(shard=shard, checked=Checked())
    writer = supervised_thread(INTAKE, lambda: intake.run(stop), stop, shared=True)
    logger.info("ingest starting as %s", shard.me)  # "ingest running" once it holds its share
    try:
        asyncio.run(serve_live(intake, coordinator))
    finally:
        stop.set()
        writer.join(30)  # lets the batch in hand commit and be acknowledged
        try:
            coordinator.leave()  # the others take its agents now, not when its leases end
        except redis.RedisError:
            logger.warning("could not give up this process's leases; they end within %d s", LEASE_MS // 1000)
