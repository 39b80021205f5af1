"""Each exporter has a token bucket: datagrams past its burst are dropped before decoding and
counted, and another exporter is not held back by the flooding one."""

import socket
import time

import pytest

from core.redis_io.redis_clients import sync_redis
from flows import counts
from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from flows.receiver import NETFLOW, FlowProtocol
from netmon_probe.token_buckets import TokenBuckets
from tests.flows import lab
from tests.flows import packets as p
from tests.waits import EVENT_TIMEOUT_S

FLOW = {"src": "198.18.0.1", "dst": "198.18.5.5", "bytes": 100, "packets": 1, "proto": 6, "sport": 1, "dport": 2}


def test_an_exporter_past_its_burst_is_dropped_and_counted_and_others_still_pass():
    decoder, buffer = FlowDecoder(), MinuteBuffer()
    protocol = FlowProtocol(NETFLOW, decoder, buffer, TokenBuckets(rate=0.001, burst=3))
    datagram = p.v5([FLOW])
    for _ in range(5):
        protocol.datagram_received(datagram, ("198.18.255.1", 2055))
    protocol.datagram_received(datagram, ("::ffff:198.18.255.2", 2055))
    assert decoder.tally["dropped_rate_limited"] == 2
    assert decoder.tally["records"] == 4  # three of the flooding exporter's, one of the other's


def tally_until(done) -> dict[str, int]:
    """The collector's counts in Redis once `done` holds for them (or, failing, the last seen)."""
    deadline, fields = time.monotonic() + EVENT_TIMEOUT_S, {}
    while time.monotonic() < deadline:
        fields = {name.decode(): int(n) for name, n in sync_redis().hgetall(counts.tally_key()).items()}
        if done(fields):
            break
        time.sleep(0.1)  # a poll of what the collector writes every second, bounded by the deadline
    return fields


@pytest.mark.django_db(transaction=True)
def test_the_collector_drops_a_flooding_exporters_datagrams_and_counts_them_in_redis():
    sync_redis().delete(counts.tally_key())
    ports = lab.free_udp_port(), lab.free_udp_port()
    try:
        with lab.collector(*ports, FLOWS_DATAGRAMS_PER_EXPORTER="1", FLOWS_BURST_PER_EXPORTER="3"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as exporter:
                for _ in range(10):
                    exporter.sendto(p.v5([FLOW]), ("127.0.0.1", ports[0]))
            fields = tally_until(lambda f: f.get("records", 0) + f.get("dropped_rate_limited", 0) >= 10)
        # three at once, then one a second: at most a few more pass while the ten are sent
        assert fields.get("records", 0) >= 3
        assert fields.get("dropped_rate_limited", 0) >= 5
        assert fields["records"] + fields["dropped_rate_limited"] == 10
    finally:
        sync_redis().delete(counts.tally_key())
