"""Decoded records waiting for their minute to close, and the last minute kept for live top talkers.

Records are bucketed by the minute they arrived in (the collector's clock: exporters'
clocks and flow timestamps cannot be trusted to agree). Memory is bounded: past
`max_records` in a minute, records are counted and dropped. What arrived since the last
live tick is also kept apart, for the live top talkers.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from flows.decoding.records import Tally

MINUTE = 60


@dataclass
class MinuteBuffer:
    max_records: int = 4_000_000
    minutes: dict[int, dict[str, list[np.ndarray]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    fresh: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))  # since `take_fresh`
    fresh_count: int = 0

    def add(self, exporter: str, records: np.ndarray, now: float, tally: Tally) -> None:
        minute = int(now) // MINUTE * MINUTE
        if self.counts[minute] + len(records) > self.max_records:
            tally.dropped("over_capacity", len(records))
            return
        self.counts[minute] += len(records)
        self.minutes[minute][exporter].append(records)
        if self.fresh_count + len(records) > self.max_records:  # the live loop is not taking them (failing)
            tally.dropped("live_behind", len(records))
            return
        self.fresh_count += len(records)
        self.fresh[exporter].append(records)

    def take_fresh(self) -> dict[str, np.ndarray]:
        """Per exporter, the records added since the last call (the live top talkers' next slice)."""
        taken, self.fresh, self.fresh_count = self.fresh, defaultdict(list), 0
        return {exporter: np.concatenate(parts) for exporter, parts in taken.items()}

    def closed(self, now: float, everything: bool = False) -> list[tuple[int, str, np.ndarray]]:
        """(minute, exporter, records) of every minute that has ended, taken out of the buffer;
        with `everything`, the current minute's too (the collector is stopping)."""
        current = int(now) // MINUTE * MINUTE + (MINUTE if everything else 0)
        out = []
        for minute in sorted(m for m in self.minutes if m < current):
            for exporter, parts in self.minutes.pop(minute).items():
                out.append((minute, exporter, np.concatenate(parts)))
            del self.counts[minute]
        return out
