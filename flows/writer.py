"""Closed minutes into the database: top-N rows per interface and direction, and sFlow's port counters."""

import time
from collections.abc import Iterable

import numpy as np
from django.db import transaction

from core.contracts import signals
from flows.aggregation import top_rows
from flows.decoding.sflow import InterfaceCounters
from flows.exporters import ExporterMap
from flows.models import PortCounters, Talker, Tier


def write_minutes(closed: Iterable[tuple[int, str, np.ndarray]], exporters: ExporterMap, top_n: int) -> int:
    """In a thread that may use the database; returns the rows written."""
    closed = list(closed)
    with transaction.atomic():
        rows, hosts = store_minutes(closed, exporters, top_n)
    if closed:
        signals.send_logged(signals.flows_recorded, sender=write_minutes, minutes=closed, hosts=hosts)
    return rows


def store_minutes(
    closed: list[tuple[int, str, np.ndarray]], exporters: ExporterMap, top_n: int
) -> tuple[int, dict[str, int | None]]:
    """The minutes' top-N rows, in the caller's transaction: (rows written, each exporter's device)."""
    rows, hosts = [], {}
    for minute, exporter, records in closed:
        host_id = hosts[exporter] = exporters.host_id(exporter)
        rows += [
            Talker(tier=Tier.MINUTE, start=minute, exporter=exporter, host_id=host_id, if_index=row.if_index,
                   direction=row.direction, dimension=row.dimension, key=row.key[:100], bytes=row.bytes,
                   packets=row.packets, flows=row.flows)
            for row in top_rows(records, top_n)
        ]  # fmt: skip
    Talker.objects.bulk_create(rows, batch_size=1000)
    return len(rows), hosts


def write_counters(counters: list[InterfaceCounters], now: float | None = None) -> None:
    """Keep the latest counter sample of each port an sFlow exporter reported, and its rates since the one before."""
    latest = {(c.exporter, c.if_index): c for c in counters}
    now = time.time() if now is None else now
    with transaction.atomic():
        for (exporter, if_index), c in latest.items():
            before = PortCounters.objects.filter(exporter=exporter, if_index=if_index).first()
            in_bps = out_bps = None
            if before is not None and now > before.ts:
                in_bps = counter_rate(before.in_octets, c.in_octets, now - before.ts)
                out_bps = counter_rate(before.out_octets, c.out_octets, now - before.ts)
            PortCounters.objects.update_or_create(
                exporter=exporter,
                if_index=if_index,
                defaults={"speed_bps": c.speed_bps, "in_octets": c.in_octets, "out_octets": c.out_octets,
                          "in_packets": c.in_packets, "out_packets": c.out_packets, "ts": now,
                          "in_bps": in_bps, "out_bps": out_bps},
            )  # fmt: skip


def counter_rate(before: int, after: int, seconds: float) -> float | None:
    """bit/s between two octet counter readings; None when the counter went back (a reset or a wrap)."""
    return 8 * (after - before) / seconds if after >= before else None
