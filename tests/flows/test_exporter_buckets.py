"""Each exporter has a token bucket: datagrams past its burst are dropped before decoding and
counted, and another exporter is not held back by the flooding one."""

from core.token_buckets import TokenBuckets
from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from flows.receiver import NETFLOW, FlowProtocol
from tests.flows import packets as p

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
