"""Batched writes of an agent's frames into history: one transaction every few seconds, not one per tick."""

import logging
import time
from datetime import UTC, datetime

from django.db import transaction

from stats.history.ingest import store
from stats.history.metrics import agent_source, frame_points
from stats.models import Agent

logger = logging.getLogger(__name__)

# Frames kept in memory while the database is unreachable; older ones are dropped first.
MAX_BUFFERED = 3600


class SampleBuffer:
    def __init__(self, host: str, flush_every: float) -> None:
        self.host = host
        self.flush_every = flush_every
        self._pending: list[dict] = []
        self._last_flush = float("-inf")  # the first sample is written at once: the agent shows up

    def add(self, frame: dict) -> None:
        self._pending.append(frame)
        if len(self._pending) > MAX_BUFFERED:
            dropped = len(self._pending) - MAX_BUFFERED
            del self._pending[:dropped]
            logger.warning("database unreachable: dropped %d oldest unsaved frames", dropped)
        if time.monotonic() - self._last_flush >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Write what is pending; on failure keep it for the next attempt."""
        self._last_flush = time.monotonic()
        if not self._pending:
            return
        try:
            self._write(self._pending)
        except Exception:
            logger.exception("could not save %d frames; will retry", len(self._pending))
            return
        self._pending = []

    def _write(self, frames: list[dict]) -> None:
        with transaction.atomic():
            # Looked up on every flush, not cached: an admin may have deleted the agent.
            agent, _ = Agent.objects.get_or_create(name=self.host)
            source = agent_source(self.host)
            store(
                (source, metric, label, frame["ts"], value)
                for frame in frames
                for metric, label, value in frame_points(frame)
            )
            Agent.objects.filter(pk=agent.pk).update(last_seen=datetime.fromtimestamp(frames[-1]["ts"], UTC))
