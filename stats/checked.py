"""Entries checked by the relay, handed to the intake of the same process: each frame decoded and checked once.

The relay reads every new entry as it arrives and checks it (stats.frame_checks) to pass
it on; the intake reads the same entry through its consumer group moments later. The
relay leaves each result here, by agent and entry id, and the intake takes it instead of
decoding and checking the entry again. What the intake has not taken within KEEP_S (it
read the entry first, it stopped reading while the database is away, the stream went to
another process) is dropped, and the intake checks such an entry itself: memory holds a
few seconds of frames at most.

The intake's read often wakes on the same new entries as the relay's and gets there first:
at 500 agents it checked more than half the frames again. So the intake's read path waits
for the relay's result a moment (RELAY_WAIT_S for a read's entries together), off the GIL.
"""

import threading
import time
from collections import deque

from stats.frame_checks import Refusal

KEEP_S = 3.0  # the intake reads within its block time, about a second, when it keeps up
RELAY_WAIT_S = 0.05  # a relay round of 500 agents' frames takes a few tens of ms
MAX_KEPT = 20_000  # whatever the rate: a few seconds of 2,000 agents

Result = tuple[dict | None, Refusal | None]  # as frame_checks.checked returns


class Checked:
    def __init__(self, keep_s: float = KEEP_S, max_kept: int = MAX_KEPT) -> None:
        self.keep_s, self.max_kept = keep_s, max_kept
        self._results: dict[tuple[str, str], Result] = {}
        self._order: deque[tuple[float, tuple[str, str]]] = deque()  # (when put, key), oldest first
        self._lock = threading.Lock()  # the relay (asyncio) puts, the intake (a thread) takes
        self._put = threading.Condition(self._lock)

    def put(self, name: str, entry_id: str, result: Result, now: float) -> None:
        with self._lock:
            key = name, entry_id
            self._results[key] = result
            self._order.append((now, key))
            while self._order and (self._order[0][0] < now - self.keep_s or len(self._order) > self.max_kept):
                self._results.pop(self._order.popleft()[1], None)
            self._put.notify_all()

    def take(self, name: str, entry_id: str, until: float | None = None) -> Result | None:
        """The relay's result for this entry, once; None when there is none (check it yourself).

        With `until` (time.monotonic()), waits until then for the relay to put it.
        """
        with self._lock:
            while (found := self._results.pop((name, entry_id), None)) is None and until is not None:
                left = until - time.monotonic()
                if left <= 0 or not self._put.wait(left):
                    break
            return found

    def __len__(self) -> int:
        return len(self._results)
