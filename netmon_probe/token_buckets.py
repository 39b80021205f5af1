"""A token bucket per source: what one source sends past its rate is dropped, not queued.

Shared by the probe's receivers and the centre's (events.intake, flows.receiver): one code path.

Pure and bounded: at most `max_sources` buckets are kept, the least recently heard
from forgotten first, so a sweep of spoofed sources cannot grow memory without bound.
"""

from collections import OrderedDict


class TokenBuckets:
    def __init__(self, rate: float, burst: float, max_sources: int = 65_536) -> None:
        self.rate, self.burst, self.max_sources = rate, burst, max_sources
        self._buckets: OrderedDict[str, list[float]] = OrderedDict()  # source -> [tokens, as of]

    def take(self, source: str, now: float) -> bool:
        """True when `source` may send one more message at `now` (monotonic seconds)."""
        bucket = self._buckets.get(source)
        if bucket is None:
            if len(self._buckets) >= self.max_sources:
                self._buckets.popitem(last=False)
            bucket = self._buckets[source] = [self.burst, now]
        else:
            self._buckets.move_to_end(source)
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        if bucket[0] < 1.0:
            return False
        bucket[0] -= 1.0
        return True

    def __len__(self) -> int:
        return len(self._buckets)
