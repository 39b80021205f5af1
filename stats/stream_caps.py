"""Each agent's stream held to a most, whatever the agent sends.

An agent may only append to its own stream (stats.credentials), and an honest one trims it
as it appends (MAXLEN netmon_agent.keys.STREAM_MAXLEN, approximately). One that leaves the
trim out (a compromised host) could still grow it until Redis is full while the intake
cannot trim behind it (a database outage). The intake trims every stream back to
STREAM_CAP, which an honest agent never reaches, and counts what it dropped.
"""

import logging

from netmon_agent import keys

logger = logging.getLogger(__name__)

# Twice what an agent keeps: its approximate trim overshoots by a macro node (~100 entries) at most.
STREAM_CAP = 2 * keys.STREAM_MAXLEN
CHECK_EVERY_S = 5.0
REASON = "over_cap"


def trim_over_cap(redis, names: dict[str, str]) -> dict[str, int]:
    """Trim each stream in `names` (stream key -> agent) longer than STREAM_CAP; returns agent -> entries dropped."""
    if not names:
        return {}
    with redis.pipeline(transaction=False) as pipe:
        for key in names:
            pipe.xlen(key)
        over = [key for key, length in zip(names, pipe.execute(), strict=True) if length > STREAM_CAP]
    if not over:
        return {}
    with redis.pipeline(transaction=False) as pipe:
        for key in over:
            pipe.xtrim(key, maxlen=STREAM_CAP, approximate=False)  # the oldest go first
        removed = pipe.execute()
    dropped = {names[key]: count for key, count in zip(over, removed, strict=True) if count}
    for name, count in dropped.items():
        logger.warning("agent %r: its stream was over %d entries; dropped its %d oldest", name, STREAM_CAP, count)
    return dropped
