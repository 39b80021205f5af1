"""Recording what a crawl found: each chassis a candidate; by the plan's policy a new one
becomes a monitored host with an SNMP check, or waits for review. The neighbours read
during the crawl are saved for every monitored device, so the links are on the map at
once rather than after the first poll's neighbour reading."""

from datetime import datetime

from django.db import transaction

from discovery.crawl import Crawl, Found
from discovery.models import Candidate, CredentialSet, Plan
from monitor.devices.models import Device, Neighbour
from monitor.models import Check, Host

SNMP_INTERVAL_S = 60


@transaction.atomic
def record(plan: Plan, crawl: Crawl, used: dict, at: datetime) -> dict[str, int]:
    """`used`: Credentials -> the CredentialSet it came from. Returns counts for the plan's summary."""
    counts = {"found": len(crawl.devices), "added": 0, "pending": 0, "known": 0, "silent": len(crawl.silent)}
    for found in crawl.devices.values():
        candidate = Candidate.objects.filter(key=found.key).first() or Candidate(key=found.key, first_seen_at=at)
        candidate.plan, candidate.name, candidate.addresses = plan, found.name[:255], found.addresses
        candidate.sys_object_id, candidate.sys_descr, candidate.vendor = found.object_id, found.descr, found.vendor
        candidate.credential_set, candidate.last_seen_at = used.get(found.credentials), at
        candidate.save()
        host = candidate.host or monitored_host(found)
        if host is None and candidate.state == Candidate.State.PENDING and plan.policy == Plan.Policy.ADD:
            host = add(found, candidate.credential_set, at)
            counts["added"] += 1
        elif host is not None:
            counts["known"] += 1
        if host is None:
            counts["pending"] += candidate.state == Candidate.State.PENDING
            continue
        candidate.host, candidate.state = host, Candidate.State.ADDED
        candidate.save(update_fields=["host", "state"])
        save_neighbours(host, found, at)
    return counts


def monitored_host(found: Found) -> Host | None:
    """The host already monitored as this chassis: by one of its addresses, else by its sysName."""
    host = Host.objects.filter(address__in=found.addresses).first()
    if host is None and found.name:
        device = Device.objects.filter(sys_name=found.name).select_related("host").first()
        host = device.host if device else None
    return host


def add(found: Found, credential_set: CredentialSet | None, at: datetime) -> Host:
    host = Host.objects.create(name=unique_name(found.name), address=found.addresses[0])
    if credential_set is not None:
        check = Check(host=host, kind="snmp", interval_s=SNMP_INTERVAL_S, **snmp_settings(credential_set))
        check.full_clean()
        check.save()
    Device.objects.create(host=host, sys_name=found.name[:255], sys_descr=found.descr, sys_object_id=found.object_id,
                          vendor=found.vendor, discovered_at=at)  # fmt: skip
    return host


def snmp_settings(credential_set: CredentialSet) -> dict:
    if credential_set.version == "2c":
        return {"snmp_version": "2c", "community": credential_set.community}
    return {"snmp_version": "3", "community": "", "snmp_user": credential_set.user,
            "auth_protocol": credential_set.auth_protocol, "auth_password": credential_set.auth_password,
            "priv_protocol": credential_set.priv_protocol, "priv_password": credential_set.priv_password}  # fmt: skip


def unique_name(name: str) -> str:
    base = (name or "device")[:90]
    taken = set(Host.objects.filter(name__startswith=base).values_list("name", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, 10_000) if f"{base}-{n}" not in taken)


def save_neighbours(host: Host, found: Found, at: datetime) -> None:
    Neighbour.objects.filter(host=host).delete()
    Neighbour.objects.bulk_create(
        Neighbour(host=host, protocol=n.protocol, local_port=n.local_port, remote_name=n.name, remote_port=n.port,
                  remote_platform=n.platform, seen_at=at)
        for n in found.neighbours
    )  # fmt: skip
