"""Events to the pages watching their device, every FLUSH_S: one "events" frame per device.

The live path never waits for the database: frames go out from the receiver's loop
while the writer thread stores the same events.
"""

import asyncio
import json
import logging

import redis
from channels.layers import get_channel_layer

from core.contracts.groups import STATS_FRAME, host_group
from core.contracts.protocol import frame
from events.intake import Intake

logger = logging.getLogger(__name__)

FLUSH_S = 0.05


def frames(live: dict[int, list[dict]]) -> list[tuple[str, str]]:
    return [(host_group(host), json.dumps(frame("events", host=host, events=events))) for host, events in live.items()]


async def keep_publishing(intake: Intake) -> None:
    layer, failing = get_channel_layer(), False
    while True:
        await asyncio.sleep(FLUSH_S)
        live = intake.take_live()
        if not live:
            continue
        try:
            await asyncio.gather(*(layer.group_send(g, {"type": STATS_FRAME, "text": t}) for g, t in frames(live)))
        except (redis.RedisError, OSError) as error:
            if not failing:  # the events are still stored; pages catch up from the Events page
                logger.error("live events paused (%s)", type(error).__name__)
            failing = True
            continue
        failing = False
