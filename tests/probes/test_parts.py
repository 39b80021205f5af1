"""The probe's pure parts: the vote of sites, sealing, slots, the disk buffer, reading entries."""

import json

import pytest

from monitor.models import Status
from monitor.state import site_vote
from netmon_probe import cli, keys, sealing
from netmon_probe.buffer import Buffer
from netmon_probe.slots import phase, slot_after
from probes import entries

UP, DOWN, UNKNOWN, DEGRADED = Status.UP, Status.DOWN, Status.UNKNOWN, Status.DEGRADED


@pytest.mark.parametrize(
    ("statuses", "quorum", "expected"),
    [
        ([UP, UP, UP], None, UP),
        ([DOWN, UP, UP], None, UP),  # one site of three cannot reach it: its own link, most likely
        ([DOWN, DOWN, UP], None, DOWN),
        ([DOWN, UP, UP], 1, DOWN),
        ([DOWN, DOWN, UP], 3, UP),
        ([UNKNOWN, UNKNOWN, UNKNOWN], None, UNKNOWN),  # every probe offline: nothing is known, nothing is DOWN
        ([DOWN, UNKNOWN, UP], None, UNKNOWN),  # the offline site could make the quorum
        ([UNKNOWN, UP, UP], None, UP),
        ([DEGRADED, UP, DOWN], None, DEGRADED),
        ([DOWN], None, DOWN),
    ],
)
def test_it_votes_down_only_when_the_quorum_agrees(statuses, quorum, expected):
    assert site_vote(statuses, quorum) == expected


def test_it_opens_what_it_sealed_for_the_same_probe_only():
    key = sealing.new_key()
    sealed = sealing.seal(key, "branch-1", {"checks": [{"id": 1, "options": {"community": "s3cret"}}]})
    assert "s3cret" not in sealed
    assert sealing.unseal(key, "branch-1", sealed)["checks"][0]["options"]["community"] == "s3cret"
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(key, "branch-2", sealed)  # one probe's assignments passed off as another's
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(sealing.new_key(), "branch-1", sealed)
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(key, "branch-1", "not base64 at all!")


def test_the_sealing_key_is_derived_from_the_password_in_the_url_alone():
    key = sealing.key_from_url("redis://netmon-probe-branch-1:s%2F3cret@192.0.2.1:6379/0")
    assert key == sealing.key_from_password("s/3cret")  # the URL's quoting undone
    assert key != sealing.key_from_password("s/3cres")
    assert sealing.key_from_url("rediss://u:s%2F3cret@[2001:db8::1]/0") == key  # the password, not the address
    sealed = sealing.seal(key, "branch-1", {"checks": []})
    assert sealing.unseal(key, "branch-1", sealed) == {"checks": []}
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(sealing.key_from_password("another"), "branch-1", sealed)


def test_the_key_prefix_comes_from_the_probes_redis_user_unless_set():
    url = "redis://netmon-acme-probe-branch-1:pw@192.0.2.1/0"
    assert cli.key_prefix({"REDIS_URL": url}, "branch-1") == "netmon-acme"
    assert cli.key_prefix({"REDIS_URL": url, "REDIS_PREFIX": "other"}, "branch-1") == "other"
    assert cli.key_prefix({"REDIS_URL": url}, "branch-2") == keys.DEFAULT_PREFIX  # not this probe's user
    assert cli.key_prefix({"REDIS_URL": "redis://192.0.2.1/0"}, "branch-1") == keys.DEFAULT_PREFIX


def test_slots_fall_on_the_checks_phase_strictly_after_now():
    for check_id, interval, now in [(1, 30, 1000.0), (7, 5, 12.5), (2000, 60, 1e9)]:
        slot = slot_after(now, interval, phase(check_id, interval))
        assert now < slot <= now + interval
        assert (slot - phase(check_id, interval)) % interval == pytest.approx(0, abs=1e-6)


def test_the_buffer_keeps_order_through_a_reopen_and_drops_the_oldest_past_its_bound(tmp_path):
    buffer = Buffer(tmp_path / "b.sqlite", max_entries=5)
    buffer.append([f"r{i}" for i in range(7)])
    assert (buffer.count, buffer.dropped) == (5, 2)
    buffer.close()
    again = Buffer(tmp_path / "b.sqlite", max_entries=5)
    batch = again.oldest(3)
    assert [text for _, text in batch] == ["r2", "r3", "r4"]
    again.remove_through(batch[-1][0])
    assert [text for _, text in again.oldest(10)] == ["r5", "r6"]
    assert again.count == 2


def entry(**changes) -> dict:
    fields = {"type": "result", "check": 3, "slot": 60.0, "started": 60.1, "latency_ms": 1.5, "error": "",
              "details": {"port": 22}} | changes  # fmt: skip
    return {keys.ENTRY_FIELD.encode(): json.dumps(fields).encode(), keys.SENT_FIELD.encode(): b"61.0"}


def test_a_probes_result_entry_is_read_and_anything_else_is_refused():
    run = entries.parsed(entry())
    assert (run.check_id, run.slot, run.outcome.latency_ms, run.sent) == (3, 60.0, 1.5, 61.0)
    for bad in [entry(check="3"), entry(slot=None), entry(details=[]), entry(type="stats"), entry(latency_ms="x")]:
        assert entries.parsed(bad) is None
    assert entries.parsed({b"entry": b"{not json"}) is None
    assert entries.parsed({b"other": b"{}"}) is None
