"""One sample of this host: every collector, each failure isolated."""

import logging
import time

from netmon_agent.collectors import COLLECTORS
from netmon_agent.collectors.base import Collector

logger = logging.getLogger(__name__)


class Sampler:
    """Runs the collectors and assembles a stats frame.

    A collector that raises is logged (once, until it recovers) and left out of
    the frame, listed under "missing"; the rest of the sample still goes out.
    """

    def __init__(self, host: str, collectors: list[Collector] | None = None) -> None:
        self.host = host
        self.collectors = collectors if collectors is not None else [cls() for cls in COLLECTORS]
        self.seq = 0
        # When each collector last succeeded: its rates span from then to now.
        self._last_ok: dict[str, float] = {}
        self._failing: set[str] = set()

    def sample(self) -> dict:
        now = time.time()
        started = time.monotonic()
        self.seq += 1
        frame = {"type": "stats", "host": self.host, "ts": round(now, 3), "seq": self.seq}
        missing = []
        for collector in self.collectors:
            key = collector.key
            last_ok = self._last_ok.get(key)
            try:
                frame[key] = collector.collect(None if last_ok is None else started - last_ok)
            except Exception:
                missing.append(key)
                self._note_failure(key)
            else:
                self._last_ok[key] = started
                self._note_success(key)
        if missing:
            frame["missing"] = missing
        return frame

    def _note_failure(self, key: str) -> None:
        if key not in self._failing:
            self._failing.add(key)
            logger.exception("collector %r failed; leaving it out of samples until it recovers", key)

    def _note_success(self, key: str) -> None:
        if key in self._failing:
            self._failing.discard(key)
            logger.info("collector %r recovered", key)
