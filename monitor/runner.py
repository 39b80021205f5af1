"""Runs claimed checks concurrently on one long-lived event loop per checks worker.

Celery task threads hand over batches of specs and wait; the loop starts each
check at its slot, bounds it by its timeout, and collects finished runs for a
tenth of a second before one writer thread saves them in a single transaction.
Then, in that thread, `results_recorded` tells the other apps (live frames, alert
rules). A task returns once all of its checks are saved, so the worker never holds
more work than its threads.
"""

import asyncio
import functools
import logging
import resource
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from core.contracts import signals
from core.redis_io.publisher import LoopThread
from monitor.checks import execute
from monitor.checks.base import CheckSpec
from monitor.results import Finished, Recorded, save_results

logger = logging.getLogger(__name__)

# Finished runs wait this long for others to share their transaction and frame.
FLUSH_EVERY_S = 0.1
# A batch that cannot be saved (database away or locked) is tried again, waiting twice
# as long each time up to this; the (check, slot) constraint makes a repeat harmless.
SAVE_RETRY_FIRST_S = 0.5
SAVE_RETRY_MAX_S = 10.0


class CheckRunner:
    def __init__(self, max_concurrency: int) -> None:
        raise_open_file_limit()
        self._thread = LoopThread("check-runner")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="check-results")
        self._slots = asyncio.Semaphore(max_concurrency)
        self._pending: list[Finished] = []
        self._flush: asyncio.Task | None = None

    def run(self, specs: list[CheckSpec], wait_s: float) -> None:
        """Run `specs` at their slots; return when their results are saved."""
        self._thread.run(self._run_all(specs), wait_s)

    async def _run_all(self, specs: list[CheckSpec]) -> None:
        await asyncio.gather(*(self._run_one(spec) for spec in specs))

    async def _run_one(self, spec: CheckSpec) -> None:
        delay = spec.due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._slots:
            started = time.time()
            outcome = await execute(spec)
        self._pending.append(Finished(spec, outcome, started))
        if self._flush is None:
            self._flush = asyncio.create_task(self._flush_soon())
        await asyncio.shield(self._flush)

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_EVERY_S)
        batch, self._pending, self._flush = self._pending, [], None
        loop = asyncio.get_running_loop()
        recorded = await self._save(batch)
        loop.run_in_executor(self._writer, announce, recorded)  # queued: the next save waits, not this task

    async def _save(self, batch: list[Finished]) -> Recorded:
        """Save `batch`, retrying until the database takes it: results are never dropped."""
        loop = asyncio.get_running_loop()
        delay = SAVE_RETRY_FIRST_S
        while True:
            try:
                return await loop.run_in_executor(self._writer, save_results, batch)
            except Exception:
                logger.exception("could not save %d check results; trying again in %.1f s", len(batch), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, SAVE_RETRY_MAX_S)


def announce(recorded: Recorded) -> None:
    """Tell the other apps of a saved batch (core.contracts.signals.results_recorded)."""
    if recorded.results:  # Redis away, a rule that fails: the results are saved all the same
        signals.send_logged(signals.results_recorded, CheckRunner, recorded=recorded)


def raise_open_file_limit() -> None:
    """Every check in flight holds a socket: lift the soft descriptor limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@functools.cache
def check_runner() -> CheckRunner:
    return CheckRunner(settings.CHECKS_MAX_CONCURRENCY)
