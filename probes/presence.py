"""Which probes run: a probe renews its lease while it runs; without it, it is offline.

A probe going offline makes its site's votes UNKNOWN (probes.voting) and raises
"probe offline" (core.contracts.signals.probe_presence); its checks do not turn DOWN.
"""

from django.conf import settings
from django.db import transaction

from core.contracts import signals
from monitor.models import Check
from monitor.results import Recorded, derive_hosts
from netmon_probe import keys
from probes import voting
from probes.models import Probe


def leases_held(client, names: list[str]) -> dict[str, bool]:
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.exists(keys.lease_key(settings.REDIS_PREFIX, name))
        return {name: bool(held) for name, held in zip(names, pipe.execute(), strict=True)}


def watch(client, now: float) -> Recorded | None:
    """Mark probes online or offline as their leases say; the checks of changed sites are voted again.

    Tells the apps above of every offline probe (each call: rules may wait `for` seconds).
    """
    probes = list(Probe.objects.only("pk", "name", "site_id", "online"))
    held = leases_held(client, [p.name for p in probes])
    changed = [p for p in probes if held[p.name] != p.online]
    if not changed:
        offline = [p.name for p in probes if not p.online]
        if offline:
            signals.send_logged(signals.probe_presence, Probe, offline=offline, back=[], ts=now)
        return None
    with transaction.atomic():
        for probe in changed:
            probe.online = held[probe.name]
            Probe.objects.filter(pk=probe.pk).update(online=probe.online)
        sites = {p.site_id for p in changed}
        check_ids = Check.objects.filter(sites__in=sites).values_list("pk", flat=True).distinct()
        checks = voting.vote(check_ids)
        hosts = derive_hosts({c.host_id for c in checks})
    offline = [p.name for p in probes if not p.online]  # the changed ones were marked above
    back = [p.name for p in changed if p.online]
    signals.send_logged(signals.probe_presence, Probe, offline=offline, back=back, ts=now)
    return Recorded([], hosts, {})
