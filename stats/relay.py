"""The live path: each agent's new frames, stamped with its name, to every dashboard within milliseconds.

The relay reads every registered agent's stream with one blocking XREAD, so a frame
is passed on as soon as its agent appends it. It keeps no state that matters: started
again, it goes on from the newest entries (history is the intake's job, not its).
"""

import asyncio
import logging
import math
import time

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from core.redis_io.publisher import send_frames
from core.redis_io.redis_clients import async_redis
from stats import frame_checks, latest, streams
from stats.presence import Changes, Presence

logger = logging.getLogger(__name__)

REFRESH_AGENTS_S = 2.0  # an agent added with `manage.py agents add` is relayed within this
BLOCK_MS = 1000
LIVE_WINDOW_S = 5.0  # what a newly found stream has from before, still relayed live
BATCH = 200  # entries per stream per read: a backlog after an outage goes out in slices


class Relay:
    def __init__(self, presence: Presence) -> None:
        self.presence = presence
        self.positions: dict[str, str] = {}  # stream key -> id of the last entry relayed
        self.names: dict[str, str] = {}  # stream key -> agent name
        self._refreshed_at = -math.inf
        self._refused_from: set[tuple[str, str]] = set()

    async def refresh(self) -> None:
        redis = async_redis()
        names = streams.registered(await redis.smembers(streams.registry_key()))
        known = set(self.names.values())
        for name in names - known:
            key = streams.frames_key(name)
            # Entry ids are Redis's clock in ms: start a few seconds back, so that an agent's
            # first frames are not lost to the refresh interval; older ones are history.
            self.positions[key] = f"{int((time.time() - LIVE_WINDOW_S) * 1000)}-0"
            self.names[key] = name
        for name in known - names:
            key = streams.frames_key(name)
            self.positions.pop(key, None)
            self.names.pop(key, None)
        self._refreshed_at = time.monotonic()

    async def relay_once(self) -> int:
        """Pass on what arrived (waiting up to BLOCK_MS for it); returns how many frames."""
        if time.monotonic() - self._refreshed_at >= REFRESH_AGENTS_S:
            await self.refresh()
        if not self.positions:
            await asyncio.sleep(BLOCK_MS / 1000)
            return 0
        reply = await async_redis().xread(self.positions, count=BATCH, block=BLOCK_MS)
        frames, newest, read_to = [], {}, {}
        for key, entries in reply or []:
            key = streams.as_text(key)
            name = self.names.get(key)
            if name is None:
                continue  # unregistered meanwhile
            now = time.time()
            for entry_id, fields in entries:
                read_to[key] = streams.as_text(entry_id)
                frame, refusal = frame_checks.checked(name, fields, now)
                if refusal is not None:
                    self._note_refused(name, refusal.reason)
                    continue
                text = streams.encode(frame)
                frames.append((STATS_GROUP, STATS_FRAME, text))
                newest[name] = text
            self.presence.seen(name, time.time())
        if frames:
            await asyncio.gather(send_frames(frames), latest.remember_all(newest))
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
