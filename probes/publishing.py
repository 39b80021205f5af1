"""Each probe's assignments: the checks of its site, sealed with its key, in a key only it may read.

Published when they change, and again every REPUBLISH_S in case Redis lost them.
Credentials among a check's settings travel sealed: Redis alone never reveals them.
"""

import hashlib
import json
import time

from django.conf import settings

from monitor.models import Check
from netmon_probe import keys, sealing
from probes.models import Probe

REPUBLISH_S = 60.0


def document(probe: Probe) -> dict:
    """What the probe runs: its site's enabled checks, and the destination policy they run under."""
    checks = Check.objects.filter(sites=probe.site_id, enabled=True, host__enabled=True).select_related("host")
    return {
        "deny": list(settings.CHECK_DENY_NETWORKS),
        "checks": [
            {
                "id": check.pk,
                "host_id": check.host_id,
                "kind": check.kind,
                "address": check.host.address,
                "interval_s": check.interval_s,
                "timeout_s": check.timeout_s,
                "options": check.kind_spec.normalized(check.settings),
            }
            for check in checks.order_by("pk")
        ],
    }


class Publisher:
    def __init__(self) -> None:
        self.published: dict[str, tuple[str, float]] = {}  # probe -> (digest of its document, when)

    def publish(self, client) -> int:
        """Write the assignments that changed (or are due again); returns how many were written."""
        written = 0
        for probe in Probe.objects.all():
            doc = document(probe)
            digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
            known = self.published.get(probe.name)
            if known and known[0] == digest and time.monotonic() - known[1] < REPUBLISH_S:
                continue
            sealed = sealing.seal(probe.key, probe.name, doc)
            client.set(keys.assignments_key(settings.REDIS_PREFIX, probe.name), sealed)
            self.published[probe.name] = (digest, time.monotonic())
            written += 1
        return written
