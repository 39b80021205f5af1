"""The probe's loop: its site's checks on its own clock and slots, results to its own stream.

Each check runs on the slots of its interval (spread by its id, as at the centre), on
the probe's wall clock, whatever the centre does. A finished run is written to the disk
buffer first and deleted from it only once Redis has taken it, so while the link to the
centre is down results pile up on disk (bounded) and go out, oldest first, when it
returns. Each result carries the probe's own time; the centre reads its clock skew from
the time each batch is sent.
"""

import asyncio
import contextlib
import dataclasses
import heapq
import json
import logging
import os
import socket
import time
import uuid

import redis

from netmon_probe import assignments, keys, runners, sealing
from netmon_probe.buffer import Buffer
from netmon_probe.checks.core import Outcome
from netmon_probe.checks.policy import Destinations
from netmon_probe.slots import phase, slot_after
from netmon_probe.snmp import wire

logger = logging.getLogger("netmon_probe")

SEND_BATCH = 2000
ASSIGNMENTS = "assignments"  # the name the sealed assignments are kept under on disk


class NameTaken(Exception):
    """Another running probe holds this name."""


class CredentialsRefused(Exception):
    """Redis refused these credentials for longer than the grace period: revoked, or another probe's."""


def result_text(check_id: int, slot: float, started: float, outcome: Outcome) -> str:
    """The stream entry of one run; an SNMP poll rides along, without its tables if it would not fit whole."""
    entry = {"type": "result", "check": check_id, "slot": slot, "started": round(started, 6),
             "latency_ms": outcome.latency_ms, "loss_pct": outcome.loss_pct, "jitter_ms": outcome.jitter_ms,
             "error": outcome.error, "details": outcome.details}  # fmt: skip
    if outcome.device is None:
        return _json(entry)
    for tables in (True, False):
        text = _json({**entry, "device": wire.plain(outcome.device, tables)})
        if len(text) <= keys.MAX_ENTRY_BYTES:  # JSON's ASCII: as many bytes as characters
            return text
        logger.warning("check %d: its SNMP poll is over %d bytes: sent %s", check_id, keys.MAX_ENTRY_BYTES,
                       "without the device's tables" if tables else "without its ports")  # fmt: skip
    return _json(entry)


def _json(entry: dict) -> str:
    return json.dumps(entry, separators=(",", ":"), allow_nan=False, default=str)


class Probe:
    def __init__(
        self,
        client: redis.Redis,
        name: str,
        key: str,
        buffer: Buffer,
        prefix: str = keys.DEFAULT_PREFIX,
        refresh_s: float = 5.0,
        flush_s: float = 1.0,
        max_running: int = 500,
        refused_grace_s: float = 30.0,
    ) -> None:
        self.client, self.name, self.key, self.buffer = client, keys.check_name(name), key, buffer
        self.results_key = keys.results_key(prefix, name)
        self.lease_key = keys.lease_key(prefix, name)
        self.assignments_key = keys.assignments_key(prefix, name)
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_ms = 15_000
        self.refresh_s, self.flush_s, self.refused_grace_s = refresh_s, flush_s, refused_grace_s
        self.running = asyncio.Semaphore(max_running)
        self.by_id: dict[int, assignments.Assignment] = {}
        self.scheduled: dict[int, float] = {}  # check id -> its next slot
        self.heap: list[tuple[float, int]] = []
        self.destinations = Destinations()
        self.finished: list[str] = []  # results not on disk yet
        self.tasks: set[asyncio.Task] = set()
        self.sealed: str | None = None
        self.linked: bool | None = None
        self._refused_since: float | None = None
        self.sent = 0
        if kept := buffer.kept(ASSIGNMENTS):
            self.take_assignments(kept)

    # Assignments
    def take_assignments(self, sealed: str) -> None:
        if sealed == self.sealed:
            return
        try:
            document = sealing.unseal(self.key, self.name, sealed)
        except sealing.Unsealable as error:
            logger.error("%s; keeping the checks it had", error)
            return
        checks, self.destinations = assignments.parse(document)
        self.by_id = {a.spec.id: a for a in checks}
        now = time.time()
        for check_id in self.scheduled.keys() - self.by_id.keys():
            del self.scheduled[check_id]
        for check_id, assignment in self.by_id.items():
            if check_id not in self.scheduled:
                self.schedule(check_id, slot_after(now, assignment.interval_s, phase(check_id, assignment.interval_s)))
        self.sealed = sealed
        self.buffer.keep(ASSIGNMENTS, sealed)
        logger.info("probe %r: running %d checks", self.name, len(self.by_id))

    def schedule(self, check_id: int, slot: float) -> None:
        self.scheduled[check_id] = slot
        heapq.heappush(self.heap, (slot, check_id))

    def refresh(self) -> None:
        """Read its assignments (in a thread); unreachable Redis: it keeps those it has."""
        try:
            with self._refusals():
                sealed = self.client.get(self.assignments_key)
        except redis.RedisError:
            return
        if sealed is not None:
            self.take_assignments(sealed.decode())

    # Running
    def due_checks(self, now: float) -> float:
        """Start every check whose slot has come; returns the seconds until the next one."""
        while self.heap and self.heap[0][0] <= now:
            slot, check_id = heapq.heappop(self.heap)
            assignment = self.by_id.get(check_id)
            if assignment is None or self.scheduled.get(check_id) != slot:
                continue  # no longer assigned, or moved
            task = asyncio.create_task(self.run_one(assignment, slot))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            # A slot missed (the probe was stopped, the loop late) is skipped, not run in a burst.
            interval = assignment.interval_s
            self.schedule(check_id, slot_after(max(slot, now), interval, phase(check_id, interval)))
        return self.heap[0][0] - now if self.heap else 1.0

    async def run_one(self, assignment: assignments.Assignment, slot: float) -> None:
        async with self.running:
            started = time.time()
            outcome = await runners.run(dataclasses.replace(assignment.spec, due=slot), self.destinations)
        self.finished.append(result_text(assignment.spec.id, slot, started, outcome))

    # Sending
    def flush(self) -> None:
        """Finished results to disk, then from disk to Redis, oldest first (in a thread)."""
        finished, self.finished = self.finished, []
        dropped = self.buffer.dropped
        self.buffer.append(finished)
        if self.buffer.dropped > dropped:
            logger.warning("the buffer is full (%d results): dropped the %d oldest, %d in all",
                           self.buffer.max_entries, self.buffer.dropped - dropped, self.buffer.dropped)  # fmt: skip
        try:
            while True:
                batch = self.buffer.oldest(SEND_BATCH)
                with self._refusals(), self.client.pipeline(transaction=False) as pipe:
                    sent = repr(time.time())
                    for _, text in batch:
                        fields = {keys.ENTRY_FIELD: text, keys.SENT_FIELD: sent}
                        pipe.xadd(self.results_key, fields, maxlen=keys.STREAM_MAXLEN, approximate=True)
                    pipe.set(self.lease_key, self.instance, px=self.lease_ms)
                    pipe.execute()
                if batch:
                    self.buffer.remove_through(batch[-1][0])
                    self.sent += len(batch)
                self._linked(True)
                if len(batch) < SEND_BATCH:
                    return
        except redis.RedisError as error:
            self._linked(False, error)

    def _linked(self, up: bool, error: Exception | None = None) -> None:
        if up and self.linked is False:
            logger.info("Redis answers again; the results kept meanwhile are sent")
        if not up and self.linked is not False:
            logger.warning("Redis does not take results (%s); keeping them on disk", type(error).__name__)
        self.linked = up

    def claim(self, wait_s: float | None = None) -> None:
        """Take the name's lease, waiting out a previous run's; a lease someone keeps renewing is refused."""
        deadline = time.monotonic() + (self.lease_ms / 1000 + 1 if wait_s is None else wait_s)
        while True:
            try:
                with self._refusals():
                    if self.client.set(self.lease_key, self.instance, nx=True, px=self.lease_ms):
                        return
                    holder = self.client.get(self.lease_key)
            except redis.RedisError:
                return  # the centre is unreachable: run now, the lease is taken with the first flush
            if time.monotonic() >= deadline:
                held_by = holder.decode() if holder else "unknown"
                raise NameTaken(f"probe name {self.name!r} is taken by another running probe ({held_by})")
            time.sleep(0.2)

    def release(self) -> None:
        try:
            if self.client.get(self.lease_key) == self.instance.encode():
                self.client.set(self.lease_key, self.instance, px=1)
        except redis.RedisError:
            pass  # it expires by itself

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self.claim)
        await asyncio.to_thread(self.refresh)
        # Sending and reading assignments wait on the network (seconds when the link is down):
        # in loops of their own, so that checks keep starting on their slots meanwhile.
        helpers = [
            asyncio.create_task(self.every(self.flush_s, self.flush, stop)),
            asyncio.create_task(self.every(self.refresh_s, self.refresh, stop)),
        ]
        try:
            while not stop.is_set():
                for helper in helpers:
                    if helper.done() and helper.exception():
                        raise helper.exception()  # credentials refused: the probe stops
                wait = self.due_checks(time.time())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=max(0.001, min(wait, 0.5)))
        finally:
            for task in [*self.tasks, *helpers]:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            await asyncio.to_thread(self.flush)
            await asyncio.to_thread(self.release)

    @staticmethod
    async def every(period_s: float, work, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(work)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=period_s)

    def _refusals(self):
        return _Refusals(self)


class _Refusals:
    """Redis's refusal of these credentials: retried for refused_grace_s (Redis may have lost its users
    and the centre makes them again), then CredentialsRefused."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        probe = self.probe
        if error is None:
            probe._refused_since = None
            return False
        if isinstance(error, redis.AuthenticationError | redis.exceptions.NoPermissionError):
            now = time.monotonic()
            probe._refused_since = probe._refused_since or now
            if now - probe._refused_since >= probe.refused_grace_s:
                raise CredentialsRefused(
                    f"Redis refused the credentials of probe {probe.name!r} ({error}): revoked, or another probe's; "
                    "`manage.py probes add NAME --replace` issues new ones"
                ) from error
        return False
