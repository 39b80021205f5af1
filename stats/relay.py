"""The live path: each agent's new frames, stamped with its name, to every dashboard within milliseconds.

The relay reads every registered agent's stream with one blocking XREAD, so a frame is
passed on as soon as its agent appends it, or, while frames keep coming, at the next read
(READ_GAP_S). It keeps no state that matters: started again, it goes on from the newest
entries (history is the intake's job, not its).
"""

import asyncio
import logging
import math
import time

from django.conf import settings

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from core.redis_io.publisher import send_frames
from core.redis_io.redis_clients import async_redis
from stats import frame_checks, latest, streams
from stats.checked import Checked
from stats.presence import Changes, Presence
from stats.shards.shard import Shard

logger = logging.getLogger(__name__)

REFRESH_AGENTS_S = 2.0  # an agent added with `manage.py agents add` is relayed within this
BLOCK_MS = 1000
LIVE_WINDOW_S = 5.0  # what a newly found stream has from before, still relayed live
# A stream taken over from another ingest goes on from where that one stopped, if no older
# than this: the lease of one that died ends within seconds (stats.shards.leases). One no
# ingest has relayed yet (its first owner, or one that died before relaying it) is relayed
# from this far back: the intake keeps what was not relayed in the stream until then.
TAKEOVER_WINDOW_S = 30.0
BATCH = 200  # entries per stream per read: a backlog after an outage goes out in slices
# Reads at most this often. Each XREAD names every stream of the process, so its cost is
# mostly the number of streams, not of entries: reading as soon as any agent appends meant
# a read of a frame or two each, and an ingest of 170 agents spent as much on reading as one
# of 500. A frame waits at most this long for the next read; at one frame a second (a
# dashboard watching a few agents) reads are a second apart and nothing waits.
READ_GAP_S = 0.05


def relayed_key() -> str:
    """Hash of agent name -> id of the last entry relayed: where the stream's next owner goes on from."""
    return f"{settings.REDIS_PREFIX}:ingest:relayed"


class Relay:
    def __init__(self, presence: Presence, shard: Shard | None = None, checked: Checked | None = None) -> None:
        self.presence = presence
        self.shard = shard
        self.checked = checked  # where this process's intake finds the entries checked here
        self.positions: dict[str, str] = {}  # stream key -> id of the last entry relayed
        self.names: dict[str, str] = {}  # stream key -> agent name
        self._refreshed_at = -math.inf
        self._read_at = -math.inf
        self._refused_from: set[tuple[str, str]] = set()

    async def refresh(self) -> None:
        redis = async_redis()
        if self.shard is None:
            names = streams.registered(await redis.smembers(streams.registry_key()))
        else:
            names = self.shard.relay_view()
        known = set(self.names.values())
        added = sorted(names - known)
        went_on_from = await redis.hmget(relayed_key(), added) if added and self.shard else [None] * len(added)
        # Entry ids are Redis's clock in ms: start a few seconds back, so that an agent's
        # first frames are not lost to the refresh interval; older ones are history.
        now = time.time()
        live_from, takeover_from = (f"{int((now - window) * 1000)}-0" for window in (LIVE_WINDOW_S, TAKEOVER_WINDOW_S))
        for name, previous in zip(added, went_on_from, strict=True):
            key = streams.frames_key(name)
            # Taken over from another process: on from where it stopped, unless that is history already.
            if previous:
                start = max(streams.as_text(previous), takeover_from, key=streams.entry_position)
            else:
                start = takeover_from if self.shard is not None else live_from
            self.positions[key] = start
            self.names[key] = name
            if self.shard is not None:
                self.presence.seen(name, time.time())  # its full grace from when it is ours
        for name in known - names:
            key = streams.frames_key(name)
            self.positions.pop(key, None)
            self.names.pop(key, None)
        self._refreshed_at = time.monotonic()

    async def relay_once(self) -> int:
        """Pass on what arrived (waiting up to BLOCK_MS for it); returns how many frames."""
        if self.shard is not None or time.monotonic() - self._refreshed_at >= REFRESH_AGENTS_S:
            await self.refresh()
        if not self.positions:
            # Sharded, its streams come from the coordinator in memory: looked at again soon.
            await asyncio.sleep(BLOCK_MS / 1000 if self.shard is None else 0.1)
            return 0
        if (wait := self._read_at + READ_GAP_S - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        self._read_at = time.monotonic()
        reply = await async_redis().xread(self.positions, count=BATCH, block=BLOCK_MS)
        frames, newest, read_to = [], {}, {}
        for key, entries in reply or []:
            key = streams.as_text(key)
            name = self.names.get(key)
            if name is None:
                continue  # unregistered meanwhile
            now = time.time()
            for entry_id, fields in entries:
                read_to[key] = entry_id = streams.as_text(entry_id)
                frame, refusal = frame_checks.checked(name, fields, now)
                if self.checked is not None:
                    self.checked.put(name, entry_id, (frame, refusal), now)
                if refusal is not None:
                    self._note_refused(name, refusal.reason)
                    continue
                text = streams.encode(frame)
                frames.append((STATS_GROUP, STATS_FRAME, text))
                newest[name] = text
            self.presence.seen(name, time.time())
        if frames:
            await send_frames(frames)
        if read_to:  # one round trip: each is a system call that costs more than a frame's check
            async with async_redis().pipeline(transaction=False) as pipe:
                latest.remember_in(pipe, newest)
                pipe.hset(relayed_key(), mapping={self.names[key]: at for key, at in read_to.items()})
                await pipe.execute()
        # Only what was sent is passed: after a failed send (Redis restarting) the same
        # entries are read and sent again; a page drops a frame it already has.
        self.positions.update(read_to)
        return len(frames)

    def _note_refused(self, name: str, reason: str) -> None:
        # The intake keeps and counts refused entries; here a line per agent and reason is enough.
        if (name, reason) not in self._refused_from:
            self._refused_from.add((name, reason))
            logger.warning("agent %r sent an entry refused as %s; not relayed (logged once)", name, reason)


async def announce(changes: Changes, presence: Presence, now: float) -> None:
    """Tell every dashboard (and the ones that connect later) which agents went offline or came back."""
    if not (changes.went_offline or changes.came_back):
        return
    frames = [
        (STATS_GROUP, STATS_FRAME, streams.state_frame(name, online=False, since=presence.offline[name]))
        for name in changes.went_offline
    ] + [(STATS_GROUP, STATS_FRAME, streams.state_frame(name, online=True, since=now)) for name in changes.came_back]
    await asyncio.gather(
        send_frames(frames),
        latest.mark_offline({name: presence.offline[name] for name in changes.went_offline}, changes.came_back),
    )
