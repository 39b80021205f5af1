"""Top talkers per port and direction: the top N of each table and an "other" row, summing to the whole."""

import numpy as np

from flows.aggregation import OTHER, top_rows
from flows.buffers import MinuteBuffer
from flows.decoding.decoder import FlowDecoder
from flows.decoding.records import Tally
from tests.flows import packets as p


def records(flows: list[dict]) -> np.ndarray:
    return FlowDecoder().netflow(p.v5(flows), "e", 0)


def table(rows, direction: str, dimension: str, if_index: int = 1) -> dict[str, int]:
    return {r.key: r.bytes for r in rows if (r.if_index, r.direction, r.dimension) == (if_index, direction, dimension)}


def test_the_top_n_and_other_sum_to_every_byte_of_the_port():
    flows = [
        {"src": f"198.18.0.{i}", "dst": "198.18.1.1", "bytes": 100 * i, "packets": 1, "dport": 443}
        for i in range(1, 21)
    ]
    rows = list(top_rows(records(flows), n=3))
    sources = table(rows, "in", "src")
    assert list(sources) == ["198.18.0.20", "198.18.0.19", "198.18.0.18", OTHER]
    assert sum(sources.values()) == sum(f["bytes"] for f in flows)
    assert table(rows, "in", "dst") == {"198.18.1.1": sum(f["bytes"] for f in flows)}
    assert table(rows, "in", "port") == {"tcp/443 (https)": sum(f["bytes"] for f in flows)}


def test_pairs_protocols_and_directions_are_kept_apart():
    flows = [
        {"src": "198.18.0.1", "dst": "198.18.0.2", "bytes": 500, "packets": 5, "proto": 17, "sport": 5000, "dport": 53, "in_if": 1, "out_if": 2},
        {"src": "198.18.0.1", "dst": "198.18.0.2", "bytes": 300, "packets": 3, "proto": 6, "sport": 22, "dport": 40000, "in_if": 1, "out_if": 2},
        {"src": "198.18.0.2", "dst": "198.18.0.1", "bytes": 70, "packets": 1, "proto": 1, "in_if": 2, "out_if": 1},
    ]  # fmt: skip
    rows = list(top_rows(records(flows), n=10))
    assert table(rows, "in", "pair") == {"198.18.0.1 > 198.18.0.2": 800}
    assert table(rows, "in", "proto") == {"udp": 500, "tcp": 300}
    assert table(rows, "in", "port") == {"udp/53 (domain)": 500, "tcp/22 (ssh)": 300}
    assert table(rows, "out", "pair", if_index=2) == {"198.18.0.1 > 198.18.0.2": 800}
    assert table(rows, "in", "pair", if_index=2) == {"198.18.0.2 > 198.18.0.1": 70}
    flows_counted = {r.key: r.flows for r in rows if (r.if_index, r.direction, r.dimension) == (1, "in", "src")}
    assert flows_counted == {"198.18.0.1": 2}


def test_the_minute_buffer_is_bounded_and_hands_each_minute_out_once():
    buffer, tally = MinuteBuffer(max_records=3), Tally()
    two = records([{"src": "198.18.0.1", "dst": "198.18.0.2", "bytes": 10, "packets": 1}] * 2)
    buffer.add("e", two, 60.5, tally)
    buffer.add("e", two, 61.0, tally)  # over the bound: counted, dropped
    assert tally["dropped_over_capacity"] == 2
    assert len(buffer.take_fresh()["e"]) == 2
    assert buffer.closed(119.0) == []  # the minute has not ended
    [(minute, exporter, kept)] = buffer.closed(120.0)
    assert (minute, exporter, len(kept)) == (60, "e", 2)
    assert buffer.closed(180.0) == []
