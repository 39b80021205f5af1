"""Recording inventories: each device's components as discovery last read them, and every
change (a component added or removed, a model, serial or revision changed) as an event
with its time. A device's first inventory is its starting point, not a change."""

from dataclasses import asdict
from datetime import UTC, datetime

from monitor.devices.models import InventoryEvent, InventoryItem
from netmon_probe.snmp.inventory import Component

WATCHED = ["model", "serial", "hardware_rev", "firmware_rev", "software_rev"]


def label(component: dict) -> str:
    return (component.get("name") or component.get("descr") or f"#{component.get('index')}")[:255]


def changes(before: dict[int, dict], after: list[Component]) -> list[dict]:
    """What changed from `before` (index -> fields) to `after`: dicts of kind, component, field, before, after."""
    now = {component.index: asdict(component) for component in after}
    found = []
    for index in sorted(now.keys() - before.keys()):
        found.append({"kind": "added", "component": label(now[index]), "field": "", "before": "",
                      "after": now[index]["serial"] or now[index]["model"]})  # fmt: skip
    for index in sorted(before.keys() - now.keys()):
        found.append({"kind": "removed", "component": label(before[index]), "field": "",
                      "before": before[index]["serial"] or before[index]["model"], "after": ""})  # fmt: skip
    for index in sorted(now.keys() & before.keys()):
        for field in WATCHED:
            if before[index][field] != now[index][field]:
                found.append({"kind": "changed", "component": label(now[index]), "field": field,
                              "before": before[index][field], "after": now[index][field]})  # fmt: skip
    return found


def record(polls) -> None:
    """`polls`: monitor.devices.ports.Polled; those that read an inventory. Inside the results' transaction."""
    latest = {p.host_id: p for p in sorted(polls, key=lambda p: p.started) if p.device.inventory is not None}
    for host_id, polled in latest.items():
        at = datetime.fromtimestamp(polled.started, UTC)
        stored = {item.index: item for item in InventoryItem.objects.filter(host_id=host_id)}
        before = {index: {**{f: getattr(item, f) for f in WATCHED}, "index": index, "name": item.name,
                          "descr": item.descr} for index, item in stored.items()}  # fmt: skip
        if stored:
            InventoryEvent.objects.bulk_create(InventoryEvent(host_id=host_id, at=at, **change)
                                               for change in changes(before, polled.device.inventory))  # fmt: skip
        InventoryItem.objects.filter(host_id=host_id).delete()
        InventoryItem.objects.bulk_create(InventoryItem(host_id=host_id, seen_at=at, **asdict(component))
                                          for component in polled.device.inventory)  # fmt: skip
