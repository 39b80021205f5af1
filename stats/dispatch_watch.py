"""Whether checks are being dispatched, told to every dashboard.

The check dispatcher runs every second on celery beat's tick. When beat or the general
worker stops, no check runs and every host keeps its last state: the dashboards are
told `{"type": "checks_dispatch", "running": false, "since": <its last run>}`, and
`"running": true` when it runs again. The ingest watches, because it does not depend on
beat; a dashboard that connects later gets the last word with the latest frames.
"""

import asyncio

from core import heartbeats
from core.groups import STATS_FRAME, STATS_GROUP
from core.publisher import send_frames
from stats import latest, streams

SILENT_AFTER_S = 5.0  # five missed ticks


def dispatch_frame(running: bool, since: float) -> str:
    return streams.encode({"type": "checks_dispatch", "running": running, "since": round(since, 3)})


class DispatchWatch:
    def __init__(self) -> None:
        self.running: bool | None = None  # not known until the first look

    async def look(self, now: float) -> None:
        last = await heartbeats.last_run(heartbeats.DISPATCHER)
        if last is None:
            return  # no dispatcher ever ran here (agents only): nothing to say
        running = now - last <= SILENT_AFTER_S
        if running == self.running:
            return
        text = dispatch_frame(running, now if running else last)
        await asyncio.gather(send_frames([(STATS_GROUP, STATS_FRAME, text)]), latest.remember_dispatch(text))
        self.running = running  # only once told: a failed send is tried again at the next look
