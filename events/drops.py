"""What the receiver did not keep, counted per source and reason, each pair logged once.

Bounded: past MAX_KEYS pairs, new ones are counted under the source "other". The
receiver writes the counts to Redis (events.counters) for the Events page.
"""

import logging
from collections import Counter

logger = logging.getLogger("events.receiver")

MAX_KEYS = 10_000
RATE_LIMITED = "over the source's rate"
BACKLOG_FULL = "the writer's backlog was full"


class Drops:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.accepted = 0

    def count(self, source: str, reason: str) -> None:
        key = (source, reason)
        if key not in self.counts:
            if len(self.counts) >= MAX_KEYS:
                key = ("other", reason)
            else:
                logger.warning("dropped input from %s: %s (logged once; counted on the Events page)", source, reason)
        self.counts[key] += 1

    def fields(self) -> dict[str, int]:
        """The counts as Redis hash fields: "<reason>|<source>"."""
        return {f"{reason}|{source}": count for (source, reason), count in self.counts.items()}
