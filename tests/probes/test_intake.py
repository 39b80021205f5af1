"""The probes' streams into the check results, exactly once, against the real Redis and database."""

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from monitor.models import Check, CheckResult, Host, Site
from netmon_probe import keys
from netmon_probe.checks.core import Outcome
from netmon_probe.runtime import result_text
from probes import intake, recording
from probes.intake import ProbeIntake
from tests.probes.conftest import make_probe


@pytest.fixture
def probe_and_check(db):
    site = Site.objects.create(name="branch-i")
    check = Check.objects.create(host=Host.objects.create(name="i", address="127.0.0.1"), kind="tcp", port=22)
    check.sites.add(site)
    other = Check.objects.create(host=check.host, kind="tcp", port=23)  # no site: the centre's
    probe, _ = make_probe(site)
    stream = keys.results_key(settings.REDIS_PREFIX, probe.name)
    yield probe, check, other, stream
    sync_redis().delete(stream)


def send(stream: str, check_id: int, slot: float) -> None:
    text = result_text(check_id, slot, slot + 0.01, Outcome(latency_ms=1.0, details={"port": 22}))
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: text, keys.SENT_FIELD: repr(slot + 0.02)})


def test_what_a_stopped_intake_read_but_never_saved_is_saved_by_the_next_once(probe_and_check):
    probe, check, other, stream = probe_and_check
    first = ProbeIntake(consumer="probes@test")
    first.streams()
    for slot in (60.0, 90.0, 120.0):
        send(stream, check.pk, slot)
    send(stream, other.pk, 60.0)  # not this site's check: refused
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: "not json"})  # counted and dropped
    # It reads them, then stops before saving anything.
    sync_redis().xreadgroup(intake.GROUP, "probes@test", {stream: ">"}, count=100)

    saved = ProbeIntake(consumer="probes@test").step()

    assert saved == 3
    slots = sorted(at.timestamp() for at in CheckResult.objects.values_list("scheduled_at", flat=True))
    assert slots == [60.0, 90.0, 120.0]
    assert set(CheckResult.objects.values_list("site_id", flat=True)) == {probe.site_id}
    assert sync_redis().xpending(stream, intake.GROUP)["pending"] == 0


def test_entries_read_again_after_their_commit_are_skipped(probe_and_check):
    probe, check, _, stream = probe_and_check
    for slot in (60.0, 90.0):
        send(stream, check.pk, slot)
    entries = [(entry_id.decode(), intake.entries.parsed(fields)) for entry_id, fields in sync_redis().xrange(stream)]

    first, recorded = recording.save(probe.name, entries)
    again, _ = recording.save(probe.name, entries)  # killed after the commit, before the acknowledgement

    assert (first, again) == (2, 0)
    assert [r.scheduled_at.timestamp() for r in recorded.results] == [90.0]  # the newest goes live
    assert CheckResult.objects.count() == 2
