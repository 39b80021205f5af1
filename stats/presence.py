"""Which agents are online: an agent that sent no frame for AGENT_OFFLINE_AFTER seconds is offline.

Pure bookkeeping, fed by the relay (every frame it passes on) and asked once a second.
"""

from dataclasses import dataclass, field


@dataclass
class Changes:
    went_offline: list[str] = field(default_factory=list)
    came_back: list[str] = field(default_factory=list)


class Presence:
    def __init__(self, offline_after: float, started: float) -> None:
        self.offline_after = offline_after
        # An agent not heard from since this process started gets the full grace period.
        self.started = started
        self.last_frame: dict[str, float] = {}
        self.offline: dict[str, float] = {}  # name -> since (its last frame, or when watching began)

    def seen(self, name: str, now: float) -> None:
        self.last_frame[name] = now

    def check(self, names: set[str], now: float) -> Changes:
        """Compare every registered agent's last frame with `now`; forget unregistered ones."""
        changes = Changes()
        for name in set(self.last_frame) - names:
            del self.last_frame[name]
        for name in set(self.offline) - names:
            del self.offline[name]
        for name in sorted(names):
            last = self.last_frame.get(name, self.started)
            silent = now - last > self.offline_after
            if silent and name not in self.offline:
                self.offline[name] = last
                changes.went_offline.append(name)
            elif not silent and name in self.offline:
                del self.offline[name]
                changes.came_back.append(name)
        return changes
