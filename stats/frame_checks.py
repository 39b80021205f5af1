"""What a stats frame may hold: checked where frames enter the server, by the relay and the intake.

An agent's credentials let it append anything to its own stream, so a frame is data
to check, not to trust. A frame is refused when
- its `ts` is more than MAX_AHEAD_S ahead of the server's clock or older than MAX_AGE_S;
- any number in it is not finite or beyond what history stores (float32);
- a metric of the catalogue (core.contracts.metrics) holds something other than a number or null,
  or a number outside its kind's range: percentages 0..100, everything else (bytes,
  rates, counts, load, flags) at least 0; or names a series label longer than history keeps.
"""

import math
from dataclasses import dataclass

import numpy as np

from core.contracts.metrics import FRAME_METRICS, Metric
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
    found = _walk(frame, SPEC)
    if found is None:
        return None
    reason, path, value = found
    shown = repr(value) if isinstance(value, int | float) else repr(str(value)[:40])
    return Refusal(reason, f"{'.'.join(reversed(path))[:120]}={shown[:60]}")


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float


def bounds(metric: Metric) -> Bounds:
    """The range a metric's values may take, from its unit in the catalogue."""
    return Bounds(*(PERCENT_RANGE if metric.unit == "%" else NON_NEGATIVE))


def spec_of(metrics: list[Metric]) -> dict:
    """The catalogue's frame paths as one tree: key (or "*") -> subtree, a metric's Bounds at its leaf."""
    tree: dict = {}
    for metric in metrics:
        node = tree
        for key in metric.path[:-1]:
            node = node.setdefault(key, {})
        node[metric.path[-1]] = bounds(metric)
    return tree


SPEC = spec_of(FRAME_METRICS)

# A refusal found deep in a frame: (reason, keys from the leaf up, value found).
Found = tuple[str, list[str], object]


def _walk(node, spec) -> Found | None:
    """The first problem in `node`, checked against `spec` (a subtree, a metric's Bounds, or None: no metric here).

    One pass over the frame, not one per metric: a frame of 200 interfaces took about 1.5 ms, three
    times its decoding.
    """
    if isinstance(node, dict):
        if isinstance(spec, Bounds):
            return "not_a_number", [], "{...}"
        return _walk_mapping(node, spec if isinstance(spec, dict) else None)
    if isinstance(node, list):
        if isinstance(spec, Bounds):
            return "not_a_number", [], "[...]"
        for index, child in enumerate(node):
            found = _walk(child, None)
            if found is not None:
                found[1].append(str(index))
                return found
        return None
    if node is None or isinstance(node, bool):  # unknown this tick; a flag
        return None
    if isinstance(node, int | float):
        if not _within_float32(node):
            return "not_finite", [], node
        if isinstance(spec, Bounds) and not spec.low <= node <= spec.high:
            return "out_of_range", [], node
        return None
    return ("not_a_number", [], node) if isinstance(spec, Bounds) else None


def _walk_mapping(node: dict, spec: dict | None) -> Found | None:
    star = spec.get("*") if spec is not None else None
    for key, child in node.items():
        below = spec.get(key, star) if spec is not None else None
        if below is not None and len(key) > LABEL_MAX and key not in spec:
            return "label_too_long", [key[:40] + "..."], ""
        kind = type(child)
        # Nearly every value is a plain number: checked here, without a call per value (a third
        # of the time of a frame's check). NaN and infinities fail the comparison.
        if kind is float or kind is int:
            if not -FLOAT32_MAX <= child <= FLOAT32_MAX:
                return "not_finite", [key], child
            if type(below) is Bounds and not below.low <= child <= below.high:
                return "out_of_range", [key], child
            continue
        found = _walk(child, below)
        if found is not None:
            found[1].append(key)
            return found
    return None


def _within_float32(number: int | float) -> bool:
    """Finite and no larger than history stores (JSON ints of any size compared as they are, never converted)."""
    if isinstance(number, float) and not math.isfinite(number):
        return False
    return -FLOAT32_MAX <= number <= FLOAT32_MAX
