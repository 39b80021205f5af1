"""The parts live data depends on, watched by the ingest and told to every dashboard.

- The check dispatcher runs every second on celery beat's tick. When beat or the
  general worker stops, no check runs and every host keeps its last state.
- The database: while it is away, dashboards stay live (frames never wait on it), but
  history, check results, alert events and chat messages wait to be written.

Each is told as `{"type": "checks_dispatch", "running": <bool>, "since": <unix s>}` or
`{"type": "database", "available": <bool>, "since": <unix s>}` when its state changes
(`since`: its last run, or when the database stopped answering); a dashboard that
connects later gets the last word with the latest frames. The ingest watches because it
depends on neither beat nor the database.
"""

import asyncio

from core.contracts.groups import STATS_FRAME, STATS_GROUP
from core.contracts.protocol import frame
from core.redis_io import heartbeats
from core.redis_io.publisher import send_frames
from stats import latest, streams

SILENT_AFTER_S = 5.0  # five missed ticks


class PartState:
    """A part's last state, told to the dashboards only when it changes."""

    def __init__(self, part: str, field: str) -> None:
        self.part, self.field = part, field
        self.state: bool | None = None  # not known until the first look

    async def tell(self, state: bool, since: float) -> None:
        if state == self.state:
            return
        text = streams.encode(frame(self.part, **{self.field: state}, since=round(since, 3)))
        await asyncio.gather(send_frames([(STATS_GROUP, STATS_FRAME, text)]), latest.remember_part(self.part, text))
        self.state = state  # only once told: a failed send is tried again at the next look


# The parts told, each by a frame of its own "type".
DISPATCH, DATABASE = "checks_dispatch", "database"
PARTS = frozenset({DISPATCH, DATABASE})


class DispatchWatch:
    def __init__(self) -> None:
        self.told = PartState(DISPATCH, "running")

    async def look(self, now: float) -> None:
        last = await heartbeats.last_run(heartbeats.DISPATCHER)
        if last is None:
            return  # no dispatcher ever ran here (agents only): nothing to say
        running = now - last <= SILENT_AFTER_S
        await self.told.tell(running, now if running else last)


class DatabaseWatch:
    """Available while it answers a query and the ingest's writes succeed.

    Both count: SQLite answers reads while another process holds its write lock.
    """

    def __init__(self) -> None:
        self.told = PartState(DATABASE, "available")
        self.away_since: float | None = None

    async def look(self, now: float, answers: bool, writes_failing_since: float | None) -> None:
        if answers and writes_failing_since is None:
            self.away_since = None
            await self.told.tell(True, now)
            return
        if self.away_since is None:
            self.away_since = min(now, writes_failing_since or now)
        await self.told.tell(False, self.away_since)
