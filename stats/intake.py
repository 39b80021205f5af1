"""The central ingest: every agent's frames into history exactly once, acknowledged only after the commit.

Each agent's stream has one consumer group. A batch is read, written in one
transaction together with each agent's stream position, and only then acknowledged
and trimmed from the stream. So:
- while the database is down nothing is acknowledged: frames wait in Redis (an hour
  of them, keys.STREAM_MAXLEN) and are written when it returns; the intake stops
  reading until then, so its memory holds one batch at most;
- an ingest process killed after its commit but before its acknowledgement reads the
  same entries again after a restart, and skips them: their position is already saved.
"""

import logging
import math
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, close_old_connections, transaction

from core.contracts import signals
from core.redis_io.redis_clients import sync_client
from stats import credentials, frame_checks, positions, rejected, stream_caps, streams
from stats.checked import RELAY_WAIT_S, Checked
from stats.history.ingest import Sample
from stats.history.metrics import agent_source, frame_points
from stats.history.stores import write as store
from stats.models import Agent
from stats.positions import StalePosition
from stats.relay import REFRESH_AGENTS_S, relayed_key
from stats.shards.shard import Shard

logger = logging.getLogger(__name__)

GROUP = "ingest"
BATCH = 500  # entries per stream per read
MAX_HELD = 50_000  # written at once when this many entries wait, whatever flush_every says
BLOCK_MS = 1000
# Reads at most this often (and never past a write that is due): a read names every stream of
# the process, so reading as each frame arrives cost far more than the frames. Alert rules see
# a frame at most this much later; history is written every flush_every anyway.
READ_GAP_S = 0.1
RESTORE_EVERY_S = 10.0  # agents' users made again if Redis lost them without restarting
SERVER_CHECK_S = 0.5  # how often Redis's run id is read: a restart is noticed within this
# At most a second apart: after a Redis restart, agents are let in again within seconds.
RETRY_FIRST_S, RETRY_MAX_S = 0.2, 1.0
STALE_RETRIES = 3  # a write that raced a previous owner's last one is tried again, positions read anew

# agent name -> [(entry id, frame or None when the entry is not a stats frame)]
Batch = dict[str, list[tuple[str, dict | None]]]


def write(
    batch: Batch, set_aside: list[rejected.SetAside] = (), fences: dict[str, int] | None = None,
    fenced_out: set[str] | None = None,
) -> list[dict]:  # fmt: skip
    """Save the frames of `batch` not saved before, with each agent's position; returns those frames.

    The entries of `set_aside` that are in `batch` and not saved before are kept as rejected.
    With `fences` (agent -> lease token, stats.shards), an agent whose stream another process
    took since (its database row holds a newer token) is left out and added to `fenced_out`.
    """
    saved: list[dict] = []
    with transaction.atomic():
        agents = {agent.name: agent for agent in Agent.objects.filter(name__in=batch)}
        moves, fresh_of = [], {}
        for name, entries in batch.items():
            agent = agents.get(name) or Agent.objects.get_or_create(name=name)[0]
            agents[name] = agent
            done = streams.entry_position(agent.stream_position or "0-0")
            fresh = [(entry_id, frame) for entry_id, frame in entries if streams.entry_position(entry_id) > done]
            if not fresh:
                continue
            frames = [frame for _, frame in fresh if frame is not None]
            moves.append(positions.Move(agent, fresh[-1][0], frames[-1]["ts"] if frames else None))
            fresh_of[name] = fresh, frames
        left_out = positions.advance(moves, fences)
        if fenced_out is not None:
            fenced_out |= left_out
        fresh_ids = set()
        for name, (fresh, frames) in fresh_of.items():
            if name not in left_out:
                fresh_ids.update((name, entry_id) for entry_id, _ in fresh)
                saved += frames
        store(samples_of(saved))
        rejected.save([entry for entry in set_aside if (entry.agent, entry.entry_id) in fresh_ids], agents)
    return saved


def samples_of(frames: list[dict]) -> Iterator[Sample]:
    """History samples of these frames (their source named once a frame, not once a value)."""
    for frame in frames:
        source, ts = agent_source(frame["host"]), frame["ts"]
        for metric, label, value in frame_points(frame):
            yield source, metric, label, ts, value


def halves(batch: Batch) -> tuple[Batch, Batch] | None:
    """`batch` in two, each agent's entries in order (the first half is written first); None for one entry."""
    if len(batch) > 1:
        names = list(batch)
        middle = len(names) // 2
        return {n: batch[n] for n in names[:middle]}, {n: batch[n] for n in names[middle:]}
    [(name, entries)] = batch.items()
    if len(entries) <= 1:
        return None
    middle = len(entries) // 2
    return {name: entries[:middle]}, {name: entries[middle:]}


def write_or_set_aside(
    batch: Batch, set_aside: list[rejected.SetAside], fences: dict[str, int] | None = None,
    fenced_out: set[str] | None = None,
) -> None:  # fmt: skip
    """write(), but an entry it fails on for any reason but a database or Redis outage is set aside,
    found by halving the batch, so that the entries around it are written."""
    try:
        write(batch, set_aside, fences, fenced_out)
        return
    except (DataError, IntegrityError) as error:  # the database refused a value: this batch's, not an outage
        failure = error
    except (DatabaseError, redis.RedisError, StalePosition):
        raise  # an outage (or a database to fix, or a race to retry): everything waits for the next try
    except Exception as error:
        failure = error
    parts = halves(batch)
    if parts is None:
        [(name, [(entry_id, frame)])] = batch.items()
        logger.error("could not write entry %s of agent %r; set aside", entry_id, name, exc_info=failure)
        refusal = frame_checks.Refusal("unwritable", f"{type(failure).__name__}: {failure}")
        write({name: [(entry_id, None)]}, [rejected.SetAside(name, entry_id, refusal, repr(frame))], fences, fenced_out)
        return
    for part in parts:
        write_or_set_aside(part, set_aside, fences, fenced_out)


def trim_point(written: str, relayed: str | None) -> str | None:
    """The id a stream is trimmed to (older entries go): both written to history and relayed; None: keep all."""
    if relayed is None:
        return None
    return min(written, relayed, key=streams.entry_position)


def entry_text(fields: dict) -> str:
    """A stream entry as text, whatever bytes it holds."""
    text = lambda value: value.decode(errors="replace") if isinstance(value, bytes) else str(value)  # noqa: E731
    return repr({text(key): text(value) for key, value in fields.items()})


class Intake:
    """Reads frames as they arrive (alert rules see each at once), writes them every flush_every seconds."""

    def __init__(
        self,
        consumer: str | None = None,
        flush_every: float | None = None,
        shard: Shard | None = None,
        checked: Checked | None = None,
    ) -> None:
        # Alone, a fixed name per host: restarted, it finds the entries it read but never acknowledged.
        # One of several (a shard), its own name: it claims what a stream's previous owner left.
        self.shard = shard
        self.checked = checked  # entries this process's relay checked already (stats.checked)
        self.consumer = consumer or (f"ingest@{shard.me}" if shard else f"ingest@{socket.gethostname()}")
        self.flush_every = settings.SAMPLE_PERSIST_EVERY if flush_every is None else flush_every
        self.redis = sync_client(socket_timeout=BLOCK_MS / 1000 + 5, socket_connect_timeout=5)
        self.grouped: set[str] = set()
        self._names: dict[str, str] = {}
        self._listed_at = -math.inf
        self._restored_at = -math.inf
        self._checked_at = -math.inf
        self._read_at = -math.inf
        self._server_run_id: str | None = None
        self.recovered = False
        self.database_failing_since: float | None = None  # since the first write the database refused
        self.held: Batch = defaultdict(list)  # read, not yet written: acknowledged after the commit
        self.held_since: float | None = None
        self.set_aside: list[rejected.SetAside] = []  # refused entries of those held
        self.dropped: Counter[str] = Counter()  # agent -> entries trimmed over its stream's cap, not yet counted
        self._capped_at = -math.inf

    @property
    def held_count(self) -> int:
        return sum(len(entries) for entries in self.held.values())

    def agent_streams(self) -> dict[str, str]:
        """stream key -> agent name, for every registered agent (or this shard's), each with its consumer group."""
        if self.shard is not None:
            self.follow_shard()
        elif time.monotonic() - self._listed_at >= REFRESH_AGENTS_S:
            members = streams.registered(self.redis.smembers(streams.registry_key()))
            self._names = {streams.frames_key(name): name for name in members}
            self._listed_at = time.monotonic()
        names = self._names
        for key in names.keys() - self.grouped:
            self._ensure_group(key)
        return names

    def follow_shard(self) -> None:
        """Forget the streams lost, write away the ones leaving, claim what the new ones' previous owner left."""
        reading, leaving, lost = self.shard.intake_view()
        for name in lost:
            self.held.pop(name, None)  # not acknowledged: the stream's new owner reads it again
        if lost:
            self.set_aside = [entry for entry in self.set_aside if entry.agent not in lost]
        if leaving:
            self._names = {key: name for key, name in self._names.items() if name not in leaving}
            if any(name in self.held for name in leaving):
                self.flush()
            self.shard.intake_released(leaving)
        new = reading - set(self._names.values())
        for name in sorted(new):
            key = streams.frames_key(name)
            self._ensure_group(key)
            self.claim(key, name)
            self._names[key] = name
        if len(self._names) != len(reading):
            self._names = {key: name for key, name in self._names.items() if name in reading}

    def _ensure_group(self, key: str) -> None:
        if key in self.grouped:
            return
        try:
            # From the stream's first entry: frames sent before ingest first ran are kept too.
            self.redis.xgroup_create(key, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self.grouped.add(key)

    def claim(self, key: str, name: str) -> None:
        """Take over, in order, the entries read from `key` but never acknowledged, whoever read them."""
        start = "0-0"
        while True:
            reply = self.redis.xautoclaim(key, GROUP, self.consumer, min_idle_time=0, start_id=start, count=BATCH)
            start, entries = streams.as_text(reply[0]), reply[1]
            if entries:
                self.take(name, entries)
            if start == "0-0":
                return

    def recover(self, names: dict[str, str]) -> None:
        """Take back what this consumer read before it stopped but never acknowledged."""
        for key, name in names.items():
            after = "0"
            while reply := self.redis.xreadgroup(GROUP, self.consumer, {key: after}, count=BATCH):
                [(_, entries)] = reply
                if not entries:
                    break
                self.take(name, entries)
                after = streams.as_text(entries[-1][0])

    def restore_if_lost(self) -> None:
        """Agents' users and registrations made again at once when Redis restarted (its run id changed).

        A Redis restarted without persistence has lost them: until then every agent is
        refused and no dashboard gets its frames.
        """
        now = time.monotonic()
        if now - self._checked_at < SERVER_CHECK_S:
            return
        self._checked_at = now
        run_id = self.redis.info("server")["run_id"]
        if run_id != self._server_run_id or now - self._restored_at >= RESTORE_EVERY_S:
            credentials.restore(everyone=self._server_run_id is None)  # this process's first look
            self._server_run_id, self._restored_at = run_id, now
            self._listed_at = -math.inf  # the registry came back with them

    def take(self, name: str, entries: list, relay_until: float | None = None) -> None:
        """Hold entries for the next write; alert rules see their frames now. With `relay_until`
        (new entries, which this process's relay reads too), its checks are waited for until then."""
        if self.held_since is None:
            self.held_since = time.monotonic()
        now = time.time()
        for entry_id, fields in entries:
            entry_id = streams.as_text(entry_id)
            if not fields:  # trimmed meanwhile
                self.held[name].append((entry_id, None))
                continue
            found = self.checked.take(name, entry_id, relay_until) if self.checked is not None else None
            frame, refusal = found if found is not None else frame_checks.checked(name, fields, now)
            self.held[name].append((entry_id, frame))
            if refusal is not None:
                self.set_aside.append(rejected.SetAside(name, entry_id, refusal, entry_text(fields)))
            else:
                signals.send_logged(signals.frame_sampled, Intake, frame=frame)

    def flush(self) -> int:
        """Write what is held, then acknowledge and trim it; on any failure keep it for the next try."""
        if self.dropped:
            rejected.add_counts(self.dropped, stream_caps.REASON)
            self.dropped.clear()
        if not self.held:
            return 0
        fences = None if self.shard is None else self.shard.fences()
        fenced_out: set[str] = set()
        for attempt in range(STALE_RETRIES):
            try:
                write_or_set_aside(self.held, self.set_aside, fences, fenced_out)
                break
            except StalePosition as race:
                if attempt == STALE_RETRIES - 1:
                    raise DatabaseError(f"agent {race} written by another process meanwhile") from race
        relayed = self.relayed_to()
        with self.redis.pipeline(transaction=False) as pipe:
            for name, entries in self.held.items():
                if name in fenced_out:
                    continue  # another process owns it now, and reads these entries again
                key, ids = streams.frames_key(name), [entry_id for entry_id, _ in entries]
                pipe.xack(key, GROUP, *ids)
                if (keep_from := trim_point(ids[-1], relayed.get(name, ids[-1]))) is not None:
                    pipe.xtrim(key, minid=keep_from, approximate=False)  # what is older is in history now
            pipe.execute()
        count = self.held_count
        self.held, self.held_since, self.set_aside = defaultdict(list), None, []
        return count

    def relayed_to(self) -> dict[str, str | None]:
        """Sharded: how far the relay passed each held stream on (None: not yet). Entries it has not
        passed on stay in the stream, for this process's relay or, after a handover, the next one's."""
        if self.shard is None:
            return {}  # alone: the relay starts from the newest entries after a restart anyway
        names = list(self.held)
        found = self.redis.hmget(relayed_key(), names)
        return {name: streams.as_text(at) if at else None for name, at in zip(names, found, strict=True)}

    def step(self) -> None:
        """Write if due, else read what arrives until it is due."""
        self.restore_if_lost()
        names = self.agent_streams()
        if time.monotonic() - self._capped_at >= stream_caps.CHECK_EVERY_S:  # Redis only: runs in an outage too
            self.dropped.update(stream_caps.trim_over_cap(self.redis, names))
            self._capped_at = time.monotonic()
        if not self.recovered and self.shard is None:
            self.recover(names)
            self.recovered = True
        waited = 0.0 if self.held_since is None else time.monotonic() - self.held_since
        if self.held and (waited >= self.flush_every or self.held_count >= MAX_HELD):
            self.flush()
            return
        if not names:
            time.sleep(BLOCK_MS / 1000)
            return
        if (pause := min(self._read_at + READ_GAP_S - time.monotonic(), self.flush_every - waited)) > 0:
            time.sleep(pause)
            waited += pause
        self._read_at = time.monotonic()
        block_ms = BLOCK_MS if self.held_since is None else max(1, int((self.flush_every - waited) * 1000))
        try:
            reply = self.redis.xreadgroup(GROUP, self.consumer, dict.fromkeys(names, ">"), count=BATCH, block=block_ms)
        except redis.ResponseError as error:
            if "NOGROUP" in str(error):  # a stream deleted and made again (an agent revoked, then added)
                self.grouped.clear()
                self._listed_at = -math.inf
                return
            raise
        relay_until = time.monotonic() + RELAY_WAIT_S
        for key, entries in reply or []:
            self.take(names[streams.as_text(key)], entries, relay_until)

    def run(self, stop: threading.Event) -> None:
        delay, failing = RETRY_FIRST_S, False
        while not stop.is_set():
            try:
                self.step()
            except (DatabaseError, redis.RedisError) as error:
                if not failing:
                    logger.error("ingest paused (%s: %s); frames wait in Redis, retrying", type(error).__name__, error)
                if isinstance(error, DatabaseError) and self.database_failing_since is None:
                    self.database_failing_since = time.time()  # read by the ingest's database watch
                failing = True
                close_old_connections()
                stop.wait(delay)
                delay = min(2 * delay, RETRY_MAX_S)
                continue
            if failing and not self.held:
                logger.info("ingest running again")
                delay, failing = RETRY_FIRST_S, False
                self.database_failing_since = None
        try:
            self.flush()  # what it holds, before it stops
        except (DatabaseError, redis.RedisError):
            logger.warning("stopping with %d frames unwritten; the next start writes them", self.held_count)
