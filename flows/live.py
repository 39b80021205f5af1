"""Live top talkers: every few seconds, each device's last minute of flows to the pages watching it.

Each tick aggregates only what arrived since the last one into a slice (the top
SLICE_N of each table and "other", per port and direction); a device's frame merges
the slices of the last minute. The work per tick follows the traffic of a tick, not of
a minute. A key's bytes are exact for the slices where it was in the top SLICE_N; the
rest is in "other", so each table still sums to the whole.
"""

import json
import time
from collections import defaultdict, deque

import numpy as np

from core.contracts.groups import STATS_FRAME, host_group
from core.contracts.protocol import frame
from flows.aggregation import DIMENSIONS, OTHER, Row, top_rows
from flows.exporters import ExporterMap
from monitor.devices.models import Interface

WINDOW_S = 60
LIVE_TOP_N = 5
SLICE_N = 50
TABLES = dict(zip(DIMENSIONS, ("sources", "destinations", "pairs", "protocols", "services"), strict=True))


class LiveWindow:
    def __init__(self) -> None:
        self.slices: deque[tuple[float, int, list[Row]]] = deque()  # (when, host id, rows)

    def frames(self, fresh: dict[str, np.ndarray], exporters: ExporterMap, now: float) -> list[tuple[str, str, str]]:
        """In a thread that may use the database: (group, message type, text) for each device with flows."""
        for exporter, records in fresh.items():
            host_id = exporters.host_id(exporter)
            if host_id is not None and len(records):  # an exporter that is no monitored device: no page to tell
                self.slices.append((now, host_id, list(top_rows(records, SLICE_N))))
        while self.slices and now - self.slices[0][0] > WINDOW_S:
            self.slices.popleft()
        by_host: dict[int, list[Row]] = defaultdict(list)
        for _when, host_id, rows in self.slices:
            by_host[host_id] += rows
        return [
            (host_group(host_id), STATS_FRAME, json.dumps(talkers_frame(host_id, rows, port_names(host_id), now)))
            for host_id, rows in by_host.items()
        ]


def port_names(host_id: int) -> dict[int, str]:
    return dict(Interface.objects.filter(host_id=host_id).values_list("index", "name"))


def talkers_frame(host_id: int, rows: list[Row], names: dict[int, str], now: float | None = None) -> dict:
    merged: dict[tuple[int, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        merged[(row.if_index, row.direction, row.dimension)][row.key] += row.bytes
    ports: dict[tuple[int, str], dict] = {}
    for (if_index, direction, dimension), keys in sorted(merged.items()):
        port = ports.setdefault(
            (if_index, direction),
            {"index": if_index, "name": names.get(if_index, f"ifIndex {if_index}"), "direction": direction,
             "bytes": 0, **{table: [] for table in TABLES.values()}},
        )  # fmt: skip
        port[TABLES[dimension]] = _top(keys)
        if dimension == DIMENSIONS[0]:
            port["bytes"] = sum(keys.values())
    return frame("flow_talkers", host=host_id, ts=now or time.time(), window_s=WINDOW_S, ports=list(ports.values()))


def _top(keys: dict[str, int]) -> list[list]:
    named = sorted(((k, b) for k, b in keys.items() if k != OTHER), key=lambda item: -item[1])
    out = [[k, b] for k, b in named[:LIVE_TOP_N]]
    rest = sum(b for _, b in named[LIVE_TOP_N:]) + keys.get(OTHER, 0)
    return [*out, [OTHER, rest]] if rest else out
