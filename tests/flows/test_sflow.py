"""sFlow v5: flow samples' raw headers (Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP, ICMP) and counter samples."""

from flows.aggregation import address_text
from flows.decoding.decoder import FlowDecoder
from tests.flows import packets as p


def test_it_decodes_a_tagged_ethernet_tcp_header_and_scales_by_the_rate():
    decoder = FlowDecoder()
    header = p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 6, 40000, 22, vlan=42, ip_length=1500)
    records = decoder.sflow(p.sflow([p.sflow_flow_sample(header, 1514, rate=256, in_if=3, out_if=4)]), "e", 0)
    assert [address_text(records["src"][0]), address_text(records["dst"][0])] == ["198.18.0.1", "198.18.0.2"]
    assert (records["sport"][0], records["dport"][0], records["proto"][0]) == (40000, 22, 6)
    assert (records["bytes"][0], records["packets"][0]) == (1500 * 256, 256)  # IP bytes, as NetFlow counts
    assert (records["in_if"][0], records["out_if"][0]) == (3, 4)


def test_it_decodes_ipv6_udp_and_icmp_headers():
    samples = [
        p.sflow_flow_sample(p.ethernet_ipv6("2001:db8::1", "2001:db8::2", 17, 5353, 53), 100, rate=1),
        p.sflow_flow_sample(p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 1, 0, 0), 98, rate=1),
    ]
    records = FlowDecoder().sflow(p.sflow(samples), "e", 0)
    assert address_text(records["src"][0]) == "2001:db8::1"
    assert records["dport"][0] == 53
    assert records["proto"][1] == 1
    assert records["dport"][1] == 8 * 256


def test_counter_samples_become_interface_counters():
    decoder = FlowDecoder()
    decoder.sflow(p.sflow([p.sflow_counter_sample(5, in_octets=10**12, out_octets=42)]), "198.18.0.1", 0)
    [counters] = decoder.take_counters()
    assert (counters.exporter, counters.if_index, counters.in_octets, counters.out_octets) == (
        "198.18.0.1",
        5,
        10**12,
        42,
    )
    assert decoder.take_counters() == []


def test_a_sampling_rate_of_zero_is_counted_and_dropped():
    decoder = FlowDecoder()
    header = p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 6, 1, 2)
    assert len(decoder.sflow(p.sflow([p.sflow_flow_sample(header, 100, rate=0)]), "e", 0)) == 0
    assert decoder.tally["dropped_sampling_rate_zero"] == 1


def test_a_truncated_datagram_is_counted_and_dropped():
    decoder = FlowDecoder()
    datagram = p.sflow([p.sflow_flow_sample(p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 6, 1, 2), 100, rate=1)])
    assert len(decoder.sflow(datagram[:-30], "e", 0)) == 0
    assert decoder.tally["dropped_malformed"] == 1


def test_an_unknown_port_of_a_compact_sample_is_port_zero():
    header = p.ethernet_ipv4("198.18.0.1", "198.18.0.2", 6, 1, 2)
    records = FlowDecoder().sflow(p.sflow([p.sflow_flow_sample(header, 100, 1, 0x3FFFFFFF, 0x3FFFFFFF)]), "e", 0)
    assert (records["in_if"][0], records["out_if"][0]) == (0, 0)
