"""A probe whose lease lapses: its site's checks turn UNKNOWN, not DOWN, and probe_offline rules fire."""

import time

from django.conf import settings

from alerts.evaluator import agent_evaluator
from alerts.models import Alert, AlertState
from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, Host, Site, Status
from netmon_probe import keys
from probes import presence
from probes.models import Probe, SiteCheckState
from tests.alerts.test_alerts import make_rule
from tests.probes.conftest import make_probe


def test_a_dead_probe_leaves_its_checks_unknown_and_fires_probe_offline_until_it_returns(alice):
    rule = make_rule(alice, name="probe gone", metric="probe_offline", comparison=">=", threshold=1)
    agent_evaluator.cache_clear()
    site = Site.objects.create(name="branch-x")
    check = Check.objects.create(host=Host.objects.create(name="x", address="127.0.0.1"), kind="tcp", port=22)
    check.sites.add(site)
    probe, _ = make_probe(site)
    Probe.objects.filter(pk=probe.pk).update(online=True)
    SiteCheckState.objects.create(host_check=check, site=site, status=Status.DOWN, slot="2026-01-01T00:00Z")
    lease = keys.lease_key(settings.REDIS_PREFIX, probe.name)
    client = sync_redis()
    try:
        presence.watch(client, time.time())  # no lease: it died
        offline = Check.objects.get(pk=check.pk).status
        fired = Alert.objects.get(rule=rule)
        client.set(lease, "me", px=10_000)
        presence.watch(client, time.time())
        back = Check.objects.get(pk=check.pk).status
        resolved = Alert.objects.get(rule=rule)
    finally:
        client.delete(lease)
        agent_evaluator.cache_clear()

    assert offline == Status.UNKNOWN  # its last result said DOWN: nothing is known now
    assert (fired.state, fired.subject, fired.subject_label) == (AlertState.FIRING, f"probe:{probe.name}", probe.name)
    assert back == Status.DOWN
    assert resolved.state == AlertState.RESOLVED


def test_the_host_page_shows_each_sites_state_and_latency(alice, client):
    sites = [Site.objects.create(name=name) for name in ("office-1", "office-2")]
    host = Host.objects.create(name="shared", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=443)
    check.sites.set(sites)
    SiteCheckState.objects.create(host_check=check, site=sites[0], status=Status.UP, latency_ms=12.34,
                                  slot="2026-01-01T00:00Z")  # fmt: skip
    SiteCheckState.objects.create(host_check=check, site=sites[1], status=Status.DOWN, error="connection refused",
                                  slot="2026-01-01T00:00Z")  # fmt: skip
    client.force_login(alice)
    page = client.get(f"/hosts/{host.pk}/").content.decode()
    assert f'<tr data-check="{check.pk}" data-site="office-1">' in page
    assert "12.3 ms" in page
    assert "connection refused" in page
