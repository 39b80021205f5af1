"""Whatever bytes arrive, no decoder raises: each packet is decoded, or counted and dropped."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.decoding.decoder import FlowDecoder
from flows.decoding.records import RECORD
from tests.flows import packets as p

FLOW = {"src": "198.18.0.1", "dst": "198.18.0.2", "sport": 1, "dport": 2, "bytes": 10, "packets": 1}
SEEDS = {
    "v5": p.v5([FLOW] * 3),
    "v9": p.v9(
        [
            p.flowset(0, p.template_body(256, p.FLOW_FIELDS)),
            p.flowset(256, p.encode(p.FLOW_FIELDS, p.flow_values(FLOW))),
        ]
    ),
    "ipfix": p.ipfix(
        [p.ipfix_template(300, [(8, 4), (82, 65535), (1, 4)]), p.flowset(300, bytes(4) + p.variable(b"ab") + bytes(4))]
    ),
    "sflow": p.sflow(
        [
            p.sflow_flow_sample(p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 6, 1, 2), 100, 10),
            p.sflow_counter_sample(1, 2, 3),
        ]
    ),
}
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def mutated(seed: bytes):
    """The seed with bytes flipped, cut short, or extended: close enough to the format to go deep."""
    return st.tuples(
        st.lists(st.tuples(st.integers(0, len(seed) - 1), st.integers(0, 255)), max_size=8),
        st.integers(0, len(seed)),
        st.binary(max_size=64),
    ).map(lambda m: _apply(seed, *m))


def _apply(seed: bytes, flips, cut, tail) -> bytes:
    data = bytearray(seed)
    for index, value in flips:
        data[index] = value
    return bytes(data[:cut]) + tail


def _decodes_or_counts(decode, packet: bytes, decoder: FlowDecoder) -> None:
    records = decode(packet, "198.18.0.254", 0.0)
    assert records.dtype == RECORD
    assert decoder.tally["packets"] >= 1


@FUZZ
@given(st.sampled_from(["v5", "v9", "ipfix"]).flatmap(lambda name: mutated(SEEDS[name])))
def test_netflow_and_ipfix_decoders_never_raise(packet):
    decoder = FlowDecoder()
    _decodes_or_counts(decoder.netflow, packet, decoder)


@FUZZ
@given(mutated(SEEDS["sflow"]))
def test_the_sflow_decoder_never_raises(packet):
    decoder = FlowDecoder()
    _decodes_or_counts(decoder.sflow, packet, decoder)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_bytes_are_dropped_not_raised(packet):
    decoder = FlowDecoder()
    _decodes_or_counts(decoder.netflow, packet, decoder)
    _decodes_or_counts(decoder.sflow, packet, decoder)
