"""The dependencies of the monitored hosts, kept for a few seconds per process, and the
root-cause decision over the hosts that are DOWN now."""

import math
import threading
import time

from discovery import derived
from discovery.dependencies import recompute
from discovery.root_cause import Decision, decide
from monitor.models import Host, Status

KEEP_S = 10.0  # links, hops and adjacencies change at the pace of polls, not of results

_lock = threading.Lock()
_kept = {"at": -math.inf, "parents": {}, "order": []}


def dependencies(now: float | None = None) -> tuple[dict, list]:
    """(host id -> parent host ids, the walk order), recomputed at most every KEEP_S."""
    now = time.monotonic() if now is None else now
    with _lock:
        if now - _kept["at"] > KEEP_S:
            links, hops, adjacencies = derived.edges()
            found, walk = recompute(links, hops, adjacencies, derived.pins())
            _kept.update(at=now, parents=found, order=walk)
        return _kept["parents"], _kept["order"]


def forget() -> None:
    """Recompute at the next call (a pin changed; a test moved the network)."""
    with _lock:
        _kept["at"] = -math.inf


def current() -> Decision:
    found, walk = dependencies()
    down = set(Host.objects.filter(status=Status.DOWN, enabled=True).values_list("id", flat=True))
    return decide(found, walk, down)
