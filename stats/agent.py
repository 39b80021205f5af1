"""What one agent worker process does each tick: sample, publish, persist."""

import functools
import json
import logging

from django.conf import settings

from monitor.alert_rules import agent_readings
from monitor.alerting import agent_evaluator
from stats.persistence import SampleBuffer
from stats.publisher import FramePublisher
from stats.sampler import Sampler

logger = logging.getLogger(__name__)


def encode(frame: dict) -> str:
    """The frame as it goes on the wire; encoded once, sent as-is to every dashboard."""
    return json.dumps(frame, separators=(",", ":"), allow_nan=False)


class AgentRuntime:
    def __init__(self, host: str) -> None:
        self.sampler = Sampler(host)
        self.publisher = FramePublisher()
        self.buffer = SampleBuffer(host, settings.SAMPLE_PERSIST_EVERY)
        self._publish_failing = False

    def tick(self) -> dict:
        frame = self.sampler.sample()
        self._publish(frame)
        self.buffer.add(frame)
        self._evaluate_alerts(frame)
        return frame

    def _evaluate_alerts(self, frame: dict) -> None:
        try:
            readings = {f"agent:{frame['host']}": (frame["host"], agent_readings(frame))}
            agent_evaluator().evaluate_and_record(readings, frame["ts"])
        except Exception:  # alerting trouble must not stop the live charts
            logger.exception("could not evaluate alert rules for this tick")

    def _publish(self, frame: dict) -> None:
        # Live delivery first: persistence is batched and must not delay the frame.
        try:
            self.publisher.publish(frame["host"], encode(frame))
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
