"""Recording where addresses were seen: the MACs each switch forwards to each port, and
the IP addresses behind MACs in each device's ARP and IPv6 neighbour tables. A sighting
seen again moves its last_seen_at on; one no longer seen stays, as where it was before."""

from datetime import UTC, datetime

from monitor.devices.models import AddressEntry, ForwardingEntry, Interface, Vlan


def record(polls) -> None:
    """`polls`: monitor.devices.ports.Polled; those that read the tables. Inside the results' transaction."""
    latest = {p.host_id: p for p in sorted(polls, key=lambda p: p.started) if p.device.forwarding is not None}
    if not latest:
        return
    names = {(i.host_id, i.index): i.name for i in Interface.objects.filter(host_id__in=latest)}
    forwarding, addresses, vlans = [], [], []
    for host_id, polled in latest.items():
        at = datetime.fromtimestamp(polled.started, UTC)
        vlans += [
            Vlan(host_id=host_id, vid=vid, name=name, seen_at=at) for vid, name in (polled.device.vlans or {}).items()
        ]
        for entry in polled.device.forwarding:
            port = names.get((host_id, entry.if_index), "")
            forwarding.append(ForwardingEntry(host_id=host_id, mac=entry.mac, vlan=entry.vlan or 0, port=port,
                                              if_index=entry.if_index, first_seen_at=at, last_seen_at=at))  # fmt: skip
        for entry in polled.device.addresses or []:
            port = names.get((host_id, entry.if_index), "")
            addresses.append(AddressEntry(host_id=host_id, ip=entry.ip, mac=entry.mac, if_index=entry.if_index,
                                          port=port, first_seen_at=at, last_seen_at=at))  # fmt: skip
    ForwardingEntry.objects.bulk_create(
        forwarding, update_conflicts=True, unique_fields=["host", "mac", "vlan", "port"],
        update_fields=["if_index", "last_seen_at"], batch_size=500,
    )  # fmt: skip
    Vlan.objects.filter(host_id__in=latest).delete()  # a VLAN removed from the switch goes from here too
    Vlan.objects.bulk_create(vlans)
    AddressEntry.objects.bulk_create(addresses, update_conflicts=True, unique_fields=["host", "ip", "mac"],
                                     update_fields=["if_index", "port", "last_seen_at"], batch_size=500)  # fmt: skip
