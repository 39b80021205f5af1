"""Live top talkers: every few seconds, each device's last minute of flows to the pages watching it."""

import json
import time

import numpy as np

from core.contracts.groups import STATS_FRAME, host_group
from core.contracts.protocol import frame
from flows.aggregation import DIMENSIONS, OTHER, top_rows
from flows.exporters import ExporterMap
from monitor.devices.models import Interface

WINDOW_S = 60
LIVE_TOP_N = 5
TABLES = dict(zip(DIMENSIONS, ("sources", "destinations", "pairs", "protocols", "services"), strict=True))


def frames(recent: dict[str, np.ndarray], exporters: ExporterMap) -> list[tuple[str, str, str]]:
    """In a thread that may use the database: (group, message type, text) for each device with flows."""
    out = []
    for exporter, records in recent.items():
        host_id = exporters.host_id(exporter)
        if host_id is None or not len(records):
            continue
        text = json.dumps(talkers_frame(host_id, records, port_names(host_id)))
        out.append((host_group(host_id), STATS_FRAME, text))
    return out


def port_names(host_id: int) -> dict[int, str]:
    return dict(Interface.objects.filter(host_id=host_id).values_list("index", "name"))


def talkers_frame(host_id: int, records: np.ndarray, names: dict[int, str]) -> dict:
    ports: dict[tuple[int, str], dict] = {}
    for row in top_rows(records, LIVE_TOP_N):
        port = ports.setdefault(
            (row.if_index, row.direction),
            {"index": row.if_index, "name": names.get(row.if_index, f"ifIndex {row.if_index}"),
             "direction": row.direction, "bytes": 0, **{table: [] for table in TABLES.values()}},
        )  # fmt: skip
        port[TABLES[row.dimension]].append([row.key, row.bytes])
        if row.dimension == DIMENSIONS[0]:
            port["bytes"] += row.bytes
    return frame("flow_talkers", host=host_id, ts=time.time(), window_s=WINDOW_S, ports=list(ports.values()))


__all__ = ["OTHER", "frames", "talkers_frame"]
