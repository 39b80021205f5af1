"""A check of truth: per port, the flow-derived rate beside the SNMP counters' rate, and how far apart.

Flows are sampled, exporters drop records under load, and a flow cache exports late; SNMP
counters count every byte. Over the last complete minutes, the flows' bits per second of
each port and direction are set beside the port's rate at its latest SNMP poll, and, for an
sFlow exporter, beside the rate of its own counter samples (flows.models.PortCounters).
"""

from django.db.models import Sum

from flows.aggregation import SOURCES
from flows.models import PortCounters, Talker, Tier
from monitor.devices.models import Interface
from monitor.models import Host

MINUTES = 5
MINUTE = 60
COUNTERS_FRESH_S = 5 * MINUTE  # older counter samples are not shown: the exporter stopped sending them


def compare(host_id: int, now: float) -> list[dict]:
    """One row per port with flows or SNMP rates: name, direction, flow_bps, snmp_bps, difference_pct."""
    end = int(now) // MINUTE * MINUTE - MINUTE  # the minute now closing may not be written yet
    start = end - MINUTES * MINUTE
    flows = {
        (row["if_index"], row["direction"]): 8 * row["total"] / (MINUTES * MINUTE)
        for row in Talker.objects.filter(tier=Tier.MINUTE, host_id=host_id, dimension=SOURCES, start__gte=start,
                                         start__lt=end).values("if_index", "direction").annotate(total=Sum("bytes"))
    }  # fmt: skip
    counted = sflow_rates(host_id, now)
    rows = []
    for port in Interface.objects.filter(host_id=host_id).order_by("index"):
        for direction, snmp_bps in (("in", port.in_bps), ("out", port.out_bps)):
            flow_bps = flows.pop((port.index, direction), None)
            if flow_bps is None and not snmp_bps:
                continue
            rows.append(_row(port.index, port.name, direction, flow_bps, snmp_bps))
    rows += [_row(index, f"ifIndex {index}", direction, bps, None) for (index, direction), bps in sorted(flows.items())]
    for row in rows:
        row["sflow_counters_bps"] = counted.get((row["index"], row["direction"]))
    return rows


def sflow_rates(host_id: int, now: float) -> dict[tuple[int, str], float]:
    """(ifIndex, direction) -> bit/s by the device's own sFlow counter samples, where fresh."""
    address = Host.objects.filter(id=host_id).values_list("address", flat=True).first()
    rates = {}
    for counters in PortCounters.objects.filter(exporter=address or "", ts__gte=now - COUNTERS_FRESH_S):
        for direction, bps in (("in", counters.in_bps), ("out", counters.out_bps)):
            if bps is not None:
                rates[(counters.if_index, direction)] = bps
    return rates


def _row(index: int, name: str, direction: str, flow_bps: float | None, snmp_bps: float | None) -> dict:
    difference = None
    if flow_bps is not None and snmp_bps:
        difference = round(100 * (flow_bps - snmp_bps) / snmp_bps, 1)
    return {"index": index, "name": name, "direction": direction, "flow_bps": flow_bps, "snmp_bps": snmp_bps,
            "difference_pct": difference}  # fmt: skip
