"""Decoded records waiting for their minute to close, and the last minute kept for live top talkers.

Records are bucketed by the minute they arrived in (the collector's clock: exporters'
clocks and flow timestamps cannot be trusted to agree). Memory is bounded: past
`max_records` in a minute, records are counted and dropped.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from flows.decoding.records import Tally, empty

MINUTE = 60


@dataclass
class Batch:
    arrived: float
    records: np.ndarray


@dataclass
class MinuteBuffer:
    max_records: int = 4_000_000
    minutes: dict[int, dict[str, list[Batch]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    handed_out: set[int] = field(default_factory=set)

    def add(self, exporter: str, records: np.ndarray, now: float, tally: Tally) -> None:
        minute = int(now) // MINUTE * MINUTE
        if self.counts[minute] + len(records) > self.max_records:
            tally.dropped("over_capacity", len(records))
            return
        self.counts[minute] += len(records)
        self.minutes[minute][exporter].append(Batch(now, records))

    def closed(self, now: float) -> list[tuple[int, str, np.ndarray]]:
        """(minute, exporter, records) of every minute that ended since the last call, once each.

        The minute before the current one stays in memory for `recent` (the live last minute).
        """
        current = int(now) // MINUTE * MINUTE
        out = []
        for minute in sorted(m for m in self.minutes if m < current and m not in self.handed_out):
            self.handed_out.add(minute)
            for exporter, batches in self.minutes[minute].items():
                out.append((minute, exporter, np.concatenate([b.records for b in batches])))
        for minute in [m for m in self.minutes if m < current - MINUTE]:
            del self.minutes[minute], self.counts[minute]
            self.handed_out.discard(minute)
        return out

    def recent(self, now: float, window_s: float = MINUTE) -> dict[str, np.ndarray]:
        """Per exporter, the records that arrived in the last `window_s` seconds."""
        out: dict[str, list[np.ndarray]] = defaultdict(list)
        for exporters in self.minutes.values():
            for exporter, batches in exporters.items():
                out[exporter] += [b.records for b in batches if now - b.arrived <= window_s]
        return {exporter: np.concatenate(parts) if parts else empty() for exporter, parts in out.items()}
