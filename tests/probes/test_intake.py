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
from stats.shards.shard import Shard
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


def owning(*names: str) -> Shard:
    shard = Shard("probes@test", group=intake.GROUP, relayed=False)
    shard.add(dict.fromkeys(names, 5))
    return shard


def test_its_owner_saves_a_stream_from_the_saved_position_and_trims_it(probe_and_check):
    probe, check, other, stream = probe_and_check
    for slot in (60.0, 90.0, 120.0):
        send(stream, check.pk, slot)
    send(stream, other.pk, 60.0)  # not this site's check: refused
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: "not json"})  # counted and dropped
    # A process that read them and stopped before saving left nothing behind: the next reads them.
    assert ProbeIntake(owning()).step() == 0  # not its stream

    saved = ProbeIntake(owning(probe.name)).step()

    assert saved == 3
    slots = sorted(at.timestamp() for at in CheckResult.objects.values_list("scheduled_at", flat=True))
    assert slots == [60.0, 90.0, 120.0]
    assert set(CheckResult.objects.values_list("site_id", flat=True)) == {probe.site_id}
    probe.refresh_from_db()
    assert [entry_id.decode() for entry_id, _ in sync_redis().xrange(stream)] == [probe.stream_position]
    assert probe.lease_token == 5


def test_a_stream_given_to_another_process_is_let_go_of_at_the_next_step(probe_and_check):
    probe, check, _, stream = probe_and_check
    shard = owning(probe.name)
    reader = ProbeIntake(shard)
    send(stream, check.pk, 60.0)
    assert reader.step() == 1
    shard.release({probe.name})
    send(stream, check.pk, 90.0)

    assert reader.step() == 0  # no longer read

    assert shard.released() == {probe.name: 5}
    assert CheckResult.objects.count() == 1


def test_a_batch_read_under_an_older_lease_than_the_last_writers_is_refused(probe_and_check):
    probe, check, _, stream = probe_and_check
    for slot in (60.0, 90.0):
        send(stream, check.pk, slot)
    first, second = [
        (entry_id.decode(), intake.entries.parsed(fields)) for entry_id, fields in sync_redis().xrange(stream)
    ]
    recording.save(probe.name, [second], token=7)  # the new owner wrote the later entry

    with pytest.raises(recording.Fenced):
        recording.save(probe.name, [first], token=6)  # the old one, woken from a freeze

    probe.refresh_from_db()
    assert (probe.stream_position, probe.lease_token) == (second[0], 7)
    assert CheckResult.objects.count() == 1


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
