"""NetFlow v5, v9 and IPFIX decoded from packets built to their specifications."""

import numpy as np

from flows.aggregation import address_text
from flows.decoding.decoder import FlowDecoder
from flows.decoding.templates import TemplateCache
from tests.flows import packets as p

FLOW = {"src": "198.18.0.1", "dst": "198.18.0.2", "sport": 40000, "dport": 443, "proto": 6, "bytes": 1500, "packets": 3}


def data(template_id: int, flows: list[dict], fields=p.FLOW_FIELDS) -> bytes:
    return p.flowset(template_id, b"".join(p.encode(fields, p.flow_values(f)) for f in flows))


def addresses(records: np.ndarray, column: str) -> list[str]:
    return [address_text(a) for a in records[column]]


def test_it_decodes_every_field_of_netflow_v5():
    decoder = FlowDecoder()
    records = decoder.netflow(p.v5([FLOW, {**FLOW, "src": "198.18.0.9", "in_if": 7}]), "198.18.0.254", 0)
    assert addresses(records, "src") == ["198.18.0.1", "198.18.0.9"]
    assert addresses(records, "dst") == ["198.18.0.2", "198.18.0.2"]
    assert records["sport"].tolist() == [40000, 40000]
    assert records["dport"].tolist() == [443, 443]
    assert records["in_if"].tolist() == [1, 7]
    assert records["out_if"].tolist() == [2, 2]
    assert records["bytes"].tolist() == [1500, 1500]
    assert records["packets"].tolist() == [3, 3]
    assert decoder.tally["records"] == 2


def test_it_scales_netflow_v5_by_its_sampling_interval():
    records = FlowDecoder().netflow(p.v5([FLOW], sampling=(1 << 14) | 100), "e", 0)  # mode 1, 1 in 100
    assert records["bytes"].tolist() == [150_000]
    assert records["packets"].tolist() == [300]


def test_it_drops_a_v5_packet_whose_count_does_not_fit():
    decoder = FlowDecoder()
    assert len(decoder.netflow(p.v5([FLOW], count=2), "e", 0)) == 0
    assert decoder.tally["dropped_malformed"] == 1


def test_it_counts_unknown_versions():
    decoder = FlowDecoder()
    assert len(decoder.netflow(b"\x00\x07" + bytes(40), "e", 0)) == 0
    assert decoder.tally["dropped_unknown_version"] == 1


def test_it_holds_v9_data_until_its_template_arrives():
    decoder = FlowDecoder()
    assert len(decoder.netflow(p.v9([data(256, [FLOW])]), "e", 0)) == 0
    records = decoder.netflow(
        p.v9([p.flowset(0, p.template_body(256, p.FLOW_FIELDS)), data(256, [FLOW, FLOW])]), "e", 1
    )
    assert len(records) == 3
    assert decoder.tally["held"] == 1
    assert addresses(records, "src") == ["198.18.0.1"] * 3


def test_templates_are_per_exporter_and_source_id():
    decoder = FlowDecoder()
    decoder.netflow(p.v9([p.flowset(0, p.template_body(256, p.FLOW_FIELDS))], source_id=1), "e", 0)
    assert len(decoder.netflow(p.v9([data(256, [FLOW])], source_id=2), "e", 0)) == 0
    assert len(decoder.netflow(p.v9([data(256, [FLOW])], source_id=1), "other", 0)) == 0
    assert len(decoder.netflow(p.v9([data(256, [FLOW])], source_id=1), "e", 0)) == 1


def test_data_held_too_long_is_counted_when_it_expires():
    decoder = FlowDecoder(TemplateCache(pending_ttl_s=10))
    decoder.netflow(p.v9([data(256, [FLOW])]), "e", 0)
    decoder.netflow(p.v9([]), "e", 30)
    assert decoder.tally["dropped_expired_before_template"] == 1
    assert len(decoder.netflow(p.v9([p.flowset(0, p.template_body(256, p.FLOW_FIELDS))]), "e", 31)) == 0


def test_a_template_not_refreshed_expires_and_a_refreshed_one_stays():
    decoder = FlowDecoder(TemplateCache(template_ttl_s=100))
    template = p.flowset(0, p.template_body(256, p.FLOW_FIELDS))
    decoder.netflow(p.v9([template]), "e", 0)
    decoder.netflow(p.v9([template]), "e", 90)  # refreshed
    assert len(decoder.netflow(p.v9([data(256, [FLOW])]), "e", 150)) == 1
    decoder.netflow(p.v9([]), "e", 300)
    assert decoder.tally["templates_expired"] == 1
    assert len(decoder.netflow(p.v9([data(256, [FLOW])]), "e", 301)) == 0


def test_v9_options_carry_the_sampling_rate_and_a_rate_of_zero_is_dropped():
    decoder = FlowDecoder()
    options = p.v9_options_template(257, scope=[(1, 4)], options=[(34, 4), (35, 1)])
    rate = p.flowset(257, p.encode([(1, 4), (34, 4), (35, 1)], [0, 64, 2]))
    zero = p.flowset(257, p.encode([(1, 4), (34, 4), (35, 1)], [0, 0, 2]))
    template = p.flowset(0, p.template_body(256, p.FLOW_FIELDS))
    records = decoder.netflow(p.v9([options, rate, template, zero, data(256, [FLOW])]), "e", 0)
    assert records["bytes"].tolist() == [1500 * 64]
    assert decoder.tally["dropped_sampling_rate_zero"] == 1


def test_a_template_flood_is_bounded_and_counted():
    decoder = FlowDecoder(TemplateCache(max_templates_per_domain=8))
    templates = [p.flowset(0, p.template_body(256 + i, p.FLOW_FIELDS)) for i in range(20)]
    decoder.netflow(p.v9(templates), "e", 0)
    assert decoder.tally["templates"] == 8
    assert decoder.tally["dropped_template_flood"] == 12


def test_it_decodes_ipfix_with_ipv6_variable_length_and_enterprise_fields():
    fields = [(27, 16), (28, 16), (7, 2), (11, 2), (4, 1), (1, 4), (2, 4), (82, 65535), (1000, 4, 29305)]
    template = p.ipfix_template(300, fields)
    src, dst = bytes.fromhex("20010db8" + "00" * 11 + "01"), bytes.fromhex("20010db8" + "00" * 11 + "02")
    rows = [
        src + dst + (5000).to_bytes(2, "big") + (53).to_bytes(2, "big") + bytes([17]) + (900).to_bytes(4, "big")
        + (9).to_bytes(4, "big") + p.variable(name) + bytes(4)
        for name in (b"eth0", b"x" * 300)
    ]  # fmt: skip
    records = FlowDecoder().netflow(p.ipfix([template, p.flowset(300, b"".join(rows))]), "e", 0)
    assert addresses(records, "src") == ["2001:db8::1"] * 2
    assert addresses(records, "dst") == ["2001:db8::2"] * 2
    assert records["dport"].tolist() == [53, 53]
    assert records["bytes"].tolist() == [900, 900]


def test_it_decodes_ipfix_fixed_templates_in_bulk_and_learns_options_sampling():
    decoder = FlowDecoder()
    options = p.ipfix_options_template(400, scope=[(149, 4)], options=[(305, 4)])
    rate = p.flowset(400, p.encode([(149, 4), (305, 4)], [7, 10]))
    flows = [{**FLOW, "src": f"198.18.1.{i}"} for i in range(200)]
    message = p.ipfix([options, rate, p.ipfix_template(300, p.FLOW_FIELDS), data(300, flows)], domain=9)
    records = decoder.netflow(message, "e", 0)
    assert len(records) == 200
    assert set(records["bytes"].tolist()) == {15_000}
    assert addresses(records, "src")[199] == "198.18.1.199"


def test_an_ipfix_template_withdrawal_forgets_it():
    decoder = FlowDecoder()
    decoder.netflow(p.ipfix([p.ipfix_template(300, p.FLOW_FIELDS)]), "e", 0)
    decoder.netflow(p.ipfix([p.flowset(2, (300).to_bytes(2, "big") + bytes(2))]), "e", 0)
    assert len(decoder.netflow(p.ipfix([data(300, [FLOW])]), "e", 0)) == 0


def test_an_ipfix_length_that_lies_is_dropped():
    decoder = FlowDecoder()
    message = bytearray(p.ipfix([p.ipfix_template(300, p.FLOW_FIELDS)]))
    message[2:4] = (len(message) + 10).to_bytes(2, "big")
    assert len(decoder.netflow(bytes(message), "e", 0)) == 0
    assert decoder.tally["dropped_malformed"] == 1
