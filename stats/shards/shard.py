"""What this ingest process owns, shared by its relay (asyncio), its intake (a thread) and its coordinator.

A stream moves away in three steps, so that nothing is lost or sent twice:
1. the coordinator marks it releasing (it now belongs to another process);
2. the intake stops reading it and writes and acknowledges what it holds of it;
3. then the relay stops passing it on (its position is in Redis, stats.relay);
only then is the lease given up and the other process takes it from where this one stopped.
A group without a relay (the probes process: `relayed=False`) hands over after step 2.
A lease lost outright (this process was frozen past its end) is dropped at once: what the
intake holds of it is forgotten unacknowledged, and its successor reads it again.
"""

import threading


class Shard:
    def __init__(self, me: str, group: str = "ingest", relayed: bool = True) -> None:
        self.me = me
        self.group = group  # whose members and leases (stats.shards.members, leases)
        self.relayed = relayed
        self.lock = threading.Lock()
        self.tokens: dict[str, int] = {}  # stream -> fencing token, for every stream held
        self.releasing: set[str] = set()
        self.intake_done: set[str] = set()
        self.relay_done: set[str] = set()
        self.lost: set[str] = set()  # for the intake to forget
        self.leader = False  # holds the installation's duties (stats.shards.coordinator)

    # --- the coordinator -------------------------------------------------------------

    def add(self, taken: dict[str, int]) -> None:
        with self.lock:
            self.tokens.update(taken)
            self.lost -= set(taken)

    def release(self, streams: set[str]) -> None:
        with self.lock:
            self.releasing |= streams & set(self.tokens)

    def released(self) -> dict[str, int]:
        """The streams both the intake and the relay let go of, forgotten here; stream -> token."""
        with self.lock:
            done = self.releasing & self.intake_done & (self.relay_done if self.relayed else self.intake_done)
            tokens = {stream: self.tokens.pop(stream) for stream in done}
            self.releasing -= done
            self.intake_done -= done
            self.relay_done -= done
            return tokens

    def drop_lost(self, streams: set[str]) -> None:
        with self.lock:
            for stream in streams:
                self.tokens.pop(stream, None)
            self.releasing -= streams
            self.intake_done -= streams
            self.relay_done -= streams
            self.lost |= streams

    def held(self) -> dict[str, int]:
        with self.lock:
            return dict(self.tokens)

    # --- the intake ------------------------------------------------------------------

    def intake_view(self) -> tuple[set[str], set[str], set[str]]:
        """(streams to read, streams to flush and let go of, streams lost); the lost are handed over once."""
        with self.lock:
            lost, self.lost = self.lost, set()
            return set(self.tokens) - self.releasing, self.releasing - self.intake_done, lost

    def intake_released(self, streams: set[str]) -> None:
        with self.lock:
            self.intake_done |= streams & self.releasing

    def fences(self) -> dict[str, int]:
        return self.held()

    # --- the relay -------------------------------------------------------------------

    def relay_view(self) -> set[str]:
        """The streams to pass on: held and not yet written away by the intake.

        Called at the start of each relay round: a stream left out now had its last round's
        frames sent and its position recorded, so it is let go of.
        """
        with self.lock:
            leaving = self.releasing & self.intake_done
            self.relay_done |= leaving
            return set(self.tokens) - leaving
