"""What one agent worker process does each tick: sample, publish, persist, tell the others."""

import asyncio
import functools
import json
import logging

from django.conf import settings

from core import groups, signals
from core.publisher import publisher, send_frames
from stats import latest
from stats.persistence import SampleBuffer
from stats.sampler import Sampler

logger = logging.getLogger(__name__)


def encode(frame: dict) -> str:
    """The frame as it goes on the wire; encoded once, sent as-is to every dashboard."""
    return json.dumps(frame, separators=(",", ":"), allow_nan=False)


async def publish_frame(host: str, text: str) -> None:
    """To every dashboard, and as the agent's latest frame for dashboards that connect later."""
    await asyncio.gather(send_frames([(groups.STATS_GROUP, groups.STATS_FRAME, text)]), latest.remember(host, text))


class AgentRuntime:
    def __init__(self, host: str) -> None:
        self.sampler = Sampler(host)
        self.buffer = SampleBuffer(host, settings.SAMPLE_PERSIST_EVERY)
        self._publish_failing = False

    def tick(self) -> dict:
        frame = self.sampler.sample()
        self._publish(frame)
        self.buffer.add(frame)
        signals.send_logged(signals.frame_sampled, AgentRuntime, frame=frame)  # alerting trouble stops nothing
        return frame

    def _publish(self, frame: dict) -> None:
        # Live delivery first: persistence is batched and must not delay the frame.
        try:
            publisher().run(publish_frame(frame["host"], encode(frame)), timeout=2.0)
        except Exception:
            if not self._publish_failing:
                logger.exception("could not publish stats frames; retrying every tick")
            self._publish_failing = True
        else:
            if self._publish_failing:
                logger.info("publishing stats frames again")
            self._publish_failing = False


@functools.cache
def agent_runtime() -> AgentRuntime:
    """This process's runtime: counters from the previous tick live here."""
    return AgentRuntime(settings.AGENT_NAME)
