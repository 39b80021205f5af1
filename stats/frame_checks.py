"""What a stats frame may hold: checked where frames enter the server, by the relay and the intake.

An agent's credentials let it append anything to its own stream, so a frame is data
to check, not to trust. A frame is refused when
- its `ts` is more than MAX_AHEAD_S ahead of the server's clock or older than MAX_AGE_S;
- any number in it is not finite or beyond what history stores (float32);
- a metric of the catalogue (core.metrics) holds something other than a number or null,
  or a number outside its kind's range: percentages 0..100, everything else (bytes,
  rates, counts, load, flags) at least 0; or names a series label longer than history keeps.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core.metrics import FRAME_METRICS, Metric, frame_leaves, is_number
from stats import streams
from stats.models import Series

# Agents keep their own clock (NTP-synchronised, seconds apart at worst): five minutes
# ahead is a broken clock or a forged frame. A frame that far ahead would be shown as
# "seconds ago" for days and would sit in history's future.
MAX_AHEAD_S = 300.0
# An agent holds STREAM_MAXLEN frames unsent while Redis is away and its stream as many
# again while the database is: over two hours at one frame a second, longer at slower
# intervals. A day covers both; an older frame did not come the way frames come.
MAX_AGE_S = 86_400.0
# History keeps values as float32: a larger one would be stored as infinity.
FLOAT32_MAX = float(np.finfo(np.float32).max)
# An interface, mount or state name becomes a series label (PostgreSQL refuses a longer one).
LABEL_MAX = Series._meta.get_field("label").max_length
PERCENT_RANGE = (0.0, 100.0)
NON_NEGATIVE = (0.0, FLOAT32_MAX)

# reason -> what it means, for admins (the rejected frames' admin page).
REASONS = {
    "not_a_frame": "not a stats frame: not JSON, too large, no type 'stats' or no numeric ts",
    "ts_ahead": f"ts more than {MAX_AHEAD_S:.0f} s ahead of the server's clock",
    "ts_too_old": f"ts more than {MAX_AGE_S:.0f} s in the past",
    "not_finite": "a number that is infinite or beyond float32",
    "not_a_number": "a metric that holds something other than a number or null",
    "out_of_range": "a metric outside its range (percentages 0..100, others at least 0)",
    "label_too_long": "an interface, mount or state name longer than history's series labels hold",
    "unwritable": "history could not write it (the error is in the detail)",
}


@dataclass(frozen=True)
class Refusal:
    reason: str  # a key of REASONS
    detail: str  # where, and the value found


def checked(name: str, fields: dict, now: float) -> tuple[dict | None, Refusal | None]:
    """The stamped frame of a stream entry, or why it is refused."""
    frame = streams.stamped(name, fields)
    if frame is None:
        return None, Refusal("not_a_frame", "")
    refusal = problem(frame, now)
    return (None, refusal) if refusal else (frame, None)


def problem(frame: dict, now: float) -> Refusal | None:
    """Why `frame` must not go on, or None when it may."""
    ts = frame["ts"]
    if ts > now + MAX_AHEAD_S:
        return Refusal("ts_ahead", f"ts={ts!r}")
    if ts < now - MAX_AGE_S:
        return Refusal("ts_too_old", f"ts={ts!r}")
    for where, value in _numbers(frame, ""):
        if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
            return Refusal("not_finite", f"{where}={value!r}")
    for metric in FRAME_METRICS:
        refusal = _metric_problem(frame, metric)
        if refusal:
            return refusal
    return None


def _numbers(node, where: str) -> Iterator[tuple[str, float]]:
    """Every number in a decoded frame, with its path (JSON keeps ints of any size: compared as they are)."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _numbers(child, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _numbers(child, f"{where}[{index}]")
    elif is_number(node):
        yield where, node if isinstance(node, float) else (node if abs(node) <= FLOAT32_MAX else math.inf)


def bounds(metric: Metric) -> tuple[float, float]:
    """The range a metric's values may take, from its unit in the catalogue."""
    return PERCENT_RANGE if metric.unit == "%" else NON_NEGATIVE


def _metric_problem(frame: dict, metric: Metric) -> Refusal | None:
    low, high = bounds(metric)
    for label, value in frame_leaves(frame, metric):
        where = f"{metric.name}[{label}]" if label else metric.name
        if len(label) > LABEL_MAX:
            return Refusal("label_too_long", f"{where[:60]}...")
        if value is None or isinstance(value, bool):  # unknown this tick; a flag
            continue
        if not is_number(value):
            return Refusal("not_a_number", f"{where}={str(value)[:40]!r}")
        if not low <= value <= high:
            return Refusal("out_of_range", f"{where}={value!r}")
    return None
