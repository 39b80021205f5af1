"""Recording routing sessions as polls read them: each device's BGP peers and OSPF
neighbours, with when each last changed state. A peer the device no longer reports is removed."""

from datetime import UTC, datetime

from monitor.devices.models import RoutingSession


def record(polls) -> None:
    """`polls`: monitor.devices.ports.Polled; only those that read sessions count. Inside the results' transaction."""
    latest = {p.host_id: p for p in sorted(polls, key=lambda p: p.started) if p.device.sessions is not None}
    if not latest:
        return
    known = {(s.host_id, s.protocol, s.peer): s for s in RoutingSession.objects.filter(host_id__in=latest)}
    kept = []
    for host_id, polled in latest.items():
        at = datetime.fromtimestamp(polled.started, UTC)
        for read in polled.device.sessions:
            row = known.get((host_id, read.protocol, read.peer))
            if row is None:
                row = RoutingSession(host_id=host_id, protocol=read.protocol, peer=read.peer, changed_at=at)
            elif row.state != read.state:
                row.changed_at = at
            row.state, row.up, row.admin_down, row.polled_at = read.state, read.up, read.admin_down, at
            row.remote_as, row.router_id, row.prefixes, row.established_s = (
                read.remote_as, read.router_id, read.prefixes, read.established_s)  # fmt: skip
            row.save()
            kept.append(row.pk)
    RoutingSession.objects.filter(host_id__in=latest).exclude(pk__in=kept).delete()
