"""Alert rules on flows: the collector's writer stores a minute, the rule's rate over it fires the
alert on the recipient's socket, and a later minute with the rate fallen back resolves it.
The matching itself (address, prefix, direction, port, interface) is checked in bulk below."""

import time

import numpy as np
import pytest
from channels.db import database_sync_to_async

from alerts.flow_evaluator import flow_evaluator
from alerts.flow_rules import EITHER, FROM, TO, FlowRuleSpec, mapped_network, rate_bps, step
from alerts.models import Alert, AlertRule, FlowCondition, Scope
from flows import writer
from flows.decoding.decoder import FlowDecoder
from flows.exporters import ExporterMap
from monitor.models import Host
from tests.conftest import socket
from tests.flows import packets as p
from tests.waits import EVENT_TIMEOUT_S

EXPORTER = "198.18.255.1"
MINUTE = 1_700_000_040
HEAVY = [
    {"src": "198.18.0.1", "dst": "198.18.5.5", "bytes": 90_000, "packets": 90, "proto": 6, "sport": 40000, "dport": 443, "in_if": 3, "out_if": 7},
    {"src": "198.18.0.2", "dst": "198.18.5.5", "bytes": 40_000, "packets": 40, "proto": 17, "sport": 5000, "dport": 53, "in_if": 3},
    {"src": "198.51.100.7", "dst": "198.18.5.6", "bytes": 10_000, "packets": 10, "proto": 6, "sport": 22, "dport": 50000, "in_if": 4},
]  # fmt: skip
LIGHT = [dict(HEAVY[0], bytes=600), HEAVY[2]]


def records(flows: list[dict]) -> np.ndarray:
    return FlowDecoder().netflow(p.v5(flows), EXPORTER, MINUTE)


def rule(**kwargs) -> FlowRuleSpec:
    return FlowRuleSpec(1, 1000.0, 1000.0, **kwargs)


def test_a_rule_counts_the_traffic_of_its_address_prefix_direction_port_and_interface():
    minute = records(HEAVY)
    bps = 8 / 60
    assert rate_bps(rule(), minute) == pytest.approx(140_000 * bps)
    assert rate_bps(rule(network=mapped_network("198.18.5.5")), minute) == pytest.approx(130_000 * bps)
    assert rate_bps(rule(network=mapped_network("198.18.5.5"), direction=FROM), minute) == 0
    assert rate_bps(rule(network=mapped_network("198.18.0.0/24"), direction=FROM), minute) == pytest.approx(
        130_000 * bps
    )
    assert rate_bps(rule(network=mapped_network("198.18.0.0/15"), direction=TO), minute) == pytest.approx(140_000 * bps)
    assert rate_bps(rule(network=mapped_network("198.51.100.7/32"), direction=EITHER), minute) == pytest.approx(
        10_000 * bps
    )
    assert rate_bps(rule(port=53), minute) == pytest.approx(40_000 * bps)
    assert rate_bps(rule(port=22, network=mapped_network("2001:db8::/32")), minute) == 0
    assert rate_bps(rule(if_index=7), minute) == pytest.approx(90_000 * bps)
    assert rate_bps(rule(if_index=4), minute) == pytest.approx(10_000 * bps)
    assert rate_bps(rule(), records([])) == 0


def test_a_rule_fires_above_its_threshold_and_resolves_at_its_recovery():
    hysteresis = FlowRuleSpec(1, 1000.0, 500.0)
    assert step(hysteresis, False, 1000.0) is None
    assert step(hysteresis, False, 1000.1) == "firing"
    assert step(hysteresis, True, 700.0) is None
    assert step(hysteresis, True, 500.0) == "resolved"


def make_rules(alice) -> tuple[Host, AlertRule]:
    host = Host.objects.create(name="edge-flows", address=EXPORTER)
    to_server = AlertRule.objects.create(name="server flooded", scope=Scope.HOST, host=host, metric="flow_bps",
                                         comparison=">", threshold=10_000)  # fmt: skip
    FlowCondition.objects.create(rule=to_server, network="198.18.5.5", direction="to")
    dns = AlertRule.objects.create(name="dns on port 3", metric="flow_bps", comparison=">", threshold=100_000)
    FlowCondition.objects.create(rule=dns, port=53, if_index=3)  # 5333 bit/s: stays quiet
    for r in (to_server, dns):
        r.recipients.add(alice)
    return host, to_server


def write(minute: int, flows: list[dict]) -> int:
    decoded = FlowDecoder().netflow(p.v5(flows), EXPORTER, minute)
    return writer.write_minutes([(minute, EXPORTER, decoded)], ExporterMap(), top_n=5)


async def alert_frame(communicator) -> dict:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while True:
        frame = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == "alert":
            return frame


async def test_a_flow_rule_fires_on_a_written_minute_and_resolves_when_the_rate_falls_back(alice):
    flow_evaluator().loaded_at = -float("inf")  # the rules of this test, not of an earlier one
    host, to_server = await database_sync_to_async(make_rules)(alice)
    communicator = await socket("/ws/alerts/", alice)
    assert (await communicator.connect())[0]
    await database_sync_to_async(write)(MINUTE, HEAVY)  # 130,000 bytes to 198.18.5.5: 17,333 bit/s
    fired = await alert_frame(communicator)
    assert (fired["event"], fired["alert"]["rule"], fired["alert"]["subject"]) == (
        "firing", "server flooded", "edge-flows")  # fmt: skip
    await database_sync_to_async(write)(MINUTE + 60, HEAVY)  # still above: nothing new
    await database_sync_to_async(write)(MINUTE + 120, LIGHT)  # 600 bytes: 80 bit/s
    resolved = await alert_frame(communicator)
    assert (resolved["event"], resolved["alert"]["rule"]) == ("resolved", "server flooded")
    await communicator.disconnect()
    states = await database_sync_to_async(lambda: list(Alert.objects.values_list("rule_id", "subject", "state")))()
    assert states == [(to_server.id, f"host:{host.id}", "resolved")]
