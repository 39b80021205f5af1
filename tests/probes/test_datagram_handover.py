"""A probe's datagram stream into the events and flows tables, exactly once, against the real Redis and database."""

import json

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from events import counters
from events.models import Event
from flows.models import Talker
from monitor.models import Host, Site
from netmon_probe import datagrams, keys
from netmon_probe.datagrams import Datagram, entry_text
from probes import handover
from probes.handover import DatagramIntake
from probes.models import Probe
from tests.events.test_parsers import V2C_LINK_DOWN
from tests.flows import packets as p
from tests.probes.conftest import make_probe
from tests.probes.test_intake import owning

RECEIVED = 1_700_000_000.5
FLOW = {"src": "198.18.0.1", "dst": "198.18.0.2", "sport": 40000, "dport": 443, "proto": 6, "bytes": 1500, "packets": 3}


@pytest.fixture
def probe_and_device(db):
    site = Site.objects.create(name="branch-d")
    device = Host.objects.create(name="edge-d", address="198.18.7.1")
    probe, _ = make_probe(site)
    stream = keys.datagrams_key(settings.REDIS_PREFIX, probe.name)
    yield probe, device, stream
    sync_redis().delete(stream, handover.dropped_key(), counters.drops_key())


def send(stream: str, receiver: str, payload: bytes, seq: str, received: float = RECEIVED) -> None:
    text = entry_text(Datagram(receiver, "198.18.7.1", 40000, received, payload))
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: text, keys.SEQUENCE_FIELD: seq})


def test_an_entry_is_read_back_as_the_datagram_it_was_and_anything_else_is_refused_with_its_reason():
    datagram = Datagram(datagrams.TRAP, "198.18.7.1", 162, RECEIVED, b"\x30\x00")
    assert datagrams.parsed(entry_text(datagram)) == datagram
    entry = json.loads(entry_text(datagram))
    refused = {
        "not json": "not a datagram entry",
        json.dumps({**entry, "receiver": "telnet"}): "unknown receiver",
        json.dumps({**entry, "payload": "!!"}): "not a datagram entry",
        json.dumps({**entry, "source": ""}): "bad source",
        json.dumps({**entry, "received": None}): "bad time or empty payload",
        "x" * (datagrams.MAX_ENTRY_CHARS + 1): "oversized entry",
    }
    for text, reason in refused.items():
        with pytest.raises(datagrams.BadEntry, match=reason):
            datagrams.parsed(text)


def test_traps_syslog_and_flows_are_stored_for_the_device_of_their_source_once(probe_and_device):
    probe, device, stream = probe_and_device
    intake = DatagramIntake(owning(probe.name))
    send(stream, datagrams.TRAP, V2C_LINK_DOWN, "disk-a:1")
    send(stream, datagrams.SYSLOG, b"<11>Jan  1 00:00:00 edge-d sshd[1]: through the probe", "disk-a:2")
    send(stream, datagrams.SYSLOG, b"<11>Jan  1 00:00:00 edge-d sshd[1]: through the probe", "disk-a:2")  # again
    send(stream, datagrams.NETFLOW, p.v5([FLOW]), "disk-a:3")
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: "not json", keys.SEQUENCE_FIELD: "disk-a:4"})  # counted, dropped
    sync_redis().xadd(stream, {keys.ENTRY_FIELD: entry_text(Datagram("syslog", "198.18.7.1", 1, 1.0, b"x"))})
    send(stream, datagrams.TRAP, b"\x30\x03\x02\x01", "disk-b:1")  # a broken trap, from a new disk

    assert intake.step() == 4
    entries = sync_redis().xrange(stream)
    assert intake.step() == 0  # read from where it stopped: nothing new
    # The same entries read again (another owner before this one's position was known) are skipped by it.
    assert handover.save(probe.name, [(entry_id.decode(), fields) for entry_id, fields in entries]) == (0, {})

    events = list(Event.objects.order_by("kind"))
    assert [(e.kind, e.device_id, e.source) for e in events] == [("syslog", device.pk, "198.18.7.1"),
                                                                ("trap", device.pk, "198.18.7.1")]  # fmt: skip
    assert events[0].text == "through the probe"
    assert events[1].trap_name == "IF-MIB::linkDown"
    assert events[0].received_at.timestamp() == RECEIVED  # the probe's time of receipt
    talkers = Talker.objects.filter(host=device, dimension="pair", direction="in")
    assert [(t.key, t.bytes, t.start) for t in talkers] == [("198.18.0.1 > 198.18.0.2", 1500, 1_699_999_980)]
    assert sync_redis().hgetall(handover.dropped_key()) == {
        f"not a datagram entry|{probe.name}".encode(): b"1",
        f"no sequence number|{probe.name}".encode(): b"1",
    }
    assert Probe.objects.get(pk=probe.pk).datagram_position == entries[-1][0].decode()
    assert sync_redis().xlen(stream) == 1  # trimmed to the last entry saved
