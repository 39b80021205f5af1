"""Entries checked by the relay, handed to the intake of the same process: each frame decoded and checked once.

The relay reads every new entry as it arrives and checks it (stats.frame_checks) to pass
it on; the intake reads the same entry through its consumer group moments later. The
relay leaves each result here, by agent and entry id, and the intake takes it instead of
decoding and checking the entry again. What the intake has not taken within KEEP_S (it
read the entry first, it stopped reading while the database is away, the stream went to
another process) is dropped, and the intake checks such an entry itself: memory holds a
few seconds of frames at most.
"""

import threading
from collections import deque

from stats.frame_checks import Refusal

KEEP_S = 3.0  # the intake reads within its block time, about a second, when it keeps up
MAX_KEPT = 20_000  # whatever the rate: a few seconds of 2,000 agents

Result = tuple[dict | None, Refusal | None]  # as frame_checks.checked returns


class Checked:
    def __init__(self, keep_s: float = KEEP_S, max_kept: int = MAX_KEPT) -> None:
        self.keep_s, self.max_kept = keep_s, max_kept
        self._results: dict[tuple[str, str], Result] = {}
        self._order: deque[tuple[float, tuple[str, str]]] = deque()  # (when put, key), oldest first
        self._lock = threading.Lock()  # the relay (asyncio) puts, the intake (a thread) takes

    def put(self, name: str, entry_id: str, result: Result, now: float) -> None:
        with self._lock:
            key = name, entry_id
            self._results[key] = result
            self._order.append((now, key))
            while self._order and (self._order[0][0] < now - self.keep_s or len(self._order) > self.max_kept):
                self._results.pop(self._order.popleft()[1], None)

    def take(self, name: str, entry_id: str) -> Result | None:
        """The relay's result for this entry, once; None when there is none (check it yourself)."""
        with self._lock:
            return self._results.pop((name, entry_id), None)

    def __len__(self) -> int:
        return len(self._results)
