"""The central ingest process (`manage.py ingest`): relay, presence watch and intake side by side.

- the relay (asyncio) passes every agent's frames to the dashboards as they arrive;
- the presence watch (asyncio, once a second) notices agents that went silent, and a
  check dispatcher that did (celery beat stopped);
- the intake (a thread: it waits on the database) writes history and evaluates rules.
The live path never waits for the database: with the database down, dashboards stay live.
"""

import asyncio
import concurrent.futures
import contextlib
import logging
import signal
import threading
import time

import redis
from django.conf import settings
from django.db import close_old_connections

from core import signals
from stats.dispatch_watch import DispatchWatch
from stats.intake import Intake
from stats.presence import Presence
from stats.relay import Relay, announce

logger = logging.getLogger(__name__)

# Retries stay at most a second apart: dashboards are live again within seconds of Redis answering.
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 1.0


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


async def keep_watching(relay: Relay, presence: Presence, database: concurrent.futures.Executor) -> None:
    loop = asyncio.get_running_loop()
    dispatch = DispatchWatch()
    while True:
        await asyncio.sleep(1.0)
        now = time.time()
        changes = presence.check(set(relay.names.values()), now)
        try:
            await announce(changes, presence, now)
            await dispatch.look(now)
        except (redis.RedisError, OSError):
            logger.exception("could not announce agent states")
        if presence.offline or changes.came_back:
            await loop.run_in_executor(database, tell_alerts, sorted(presence.offline), changes.came_back, now)


async def serve_live() -> None:
    presence = Presence(settings.AGENT_OFFLINE_AFTER, started=time.time())
    relay = Relay(presence)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="presence-db") as database:
        tasks = [
            asyncio.create_task(keep_relaying(relay)),
            asyncio.create_task(keep_watching(relay, presence, database)),
        ]
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: [task.cancel() for task in tasks])
        with contextlib.suppress(asyncio.CancelledError):  # SIGTERM: a clean stop
            await asyncio.gather(*tasks)


def run() -> None:
    stop = threading.Event()
    intake = threading.Thread(target=Intake().run, args=(stop,), name="intake")
    intake.start()
    logger.info("ingest running: relaying and writing the frames of every registered agent")
    try:
        asyncio.run(serve_live())
    finally:
        stop.set()
        intake.join(30)  # lets the batch in hand commit and be acknowledged
