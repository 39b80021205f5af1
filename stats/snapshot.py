"""What a new /ws/stats/ socket is sent first: the one rule, for every web process.

Each agent's newest "stats" frame, an "agent_state" frame for each agent offline now, and
the last word on each part live data depends on (stats.part_watch): so a dashboard is
never empty, and never shows an agent as live that stopped reporting. A process's hub
(dashboard.stats_hub) starts from the copy the ingest keeps in Redis (stats.latest) and
keeps it up to date from the frames it relays, both through `Snapshot.apply`.
"""

import orjson

from stats import latest
from stats.part_watch import PARTS

# The frame types a snapshot keeps; the catalogue (core.contracts.protocol) says the same in its `on_connect`.
KEPT_TYPES = frozenset({"stats", "agent_state", *PARTS})


class Snapshot:
    def __init__(self, texts: list[str] = ()) -> None:
        self.agents: dict[str, str] = {}  # agent -> its newest "stats" frame
        self.offline: dict[str, str] = {}  # agent -> its "agent_state" frame while it is offline
        self.parts: dict[str, str] = {}  # part -> its last state frame
        for text in texts:
            self.apply(text)

    @classmethod
    async def from_redis(cls) -> "Snapshot":
        """The snapshot as the ingest keeps it in Redis."""
        return cls(await latest.stored_frames())

    def apply(self, text: str) -> None:
        """Take a frame into account, as encoded; frames of other types, and garbage, change nothing."""
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
        kind = frame.get("type") if isinstance(frame, dict) else None
        host = frame.get("host") if isinstance(frame, dict) else None
        if kind == "stats" and isinstance(host, str):
            self.agents[host] = text
        elif kind == "agent_state" and isinstance(host, str):
            if frame.get("online"):
                self.offline.pop(host, None)
            else:
                self.offline[host] = text
        elif kind in PARTS:
            self.parts[kind] = text

    def frames(self) -> list[str]:
        """In the order a socket is sent them: an agent's state after its last sample."""
        return [*self.agents.values(), *self.offline.values(), *self.parts.values()]
