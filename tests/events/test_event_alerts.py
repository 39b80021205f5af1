"""Alert rules on network events through the real receiver: five authentication failures in a
minute fire a rule and reach the recipient's alert socket; linkUp on the same port resolves
the alert a linkDown fired."""

import asyncio
import time

from channels.db import database_sync_to_async

from alerts.models import Alert, AlertRule, EventCondition, Scope
from monitor.models import Host
from tests.conftest import socket
from tests.events import senders
from tests.events.senders import IF_INDEX, LINK_DOWN, LINK_UP
from tests.processes import events_receiver
from tests.waits import EVENT_TIMEOUT_S


def make_rules(alice) -> Host:
    host = Host.objects.create(name="edge-9", address="127.0.0.1")
    failures = AlertRule.objects.create(name="login storm", scope=Scope.HOST, host=host, metric="network_events",
                                        comparison=">=", threshold=5)  # fmt: skip
    EventCondition.objects.create(rule=failures, text_pattern="authentication failure", window_s=60)
    ports = AlertRule.objects.create(name="port down", metric="network_events", comparison=">=", threshold=1)
    EventCondition.objects.create(rule=ports, trap_name="linkDown", clearing_trap_name="linkUp")
    for rule in (failures, ports):
        rule.recipients.add(alice)
    return host


async def alert_frame(communicator, wanted) -> dict:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while True:
        frame = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == "alert" and wanted(frame["alert"], frame["event"]):
            return frame


async def send(*calls) -> None:
    for call in calls:
        assert (await asyncio.to_thread(call)).returncode == 0


async def test_an_event_rule_fires_and_a_clearing_event_resolves_it(alice, ports):
    host = await database_sync_to_async(make_rules)(alice)
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port):
        communicator = await socket("/ws/alerts/", alice)
        assert (await communicator.connect())[0]
        for n in range(4):
            await send(lambda n=n: senders.logger(syslog_port, f"sshd: authentication failure {n}", "-d"))
        await send(lambda: senders.snmptrap(trap_port, "2c", LINK_DOWN, f"{IF_INDEX}.3", "i", "3"))
        fired = await alert_frame(communicator, lambda alert, event: alert["rule"] == "port down")
        assert (fired["event"], fired["alert"]["subject"]) == ("firing", "edge-9 port 3")
        await send(lambda: senders.logger(syslog_port, "sshd: authentication failure 5", "-d"))
        storm = await alert_frame(communicator, lambda alert, event: alert["rule"] == "login storm")
        assert (storm["event"], storm["alert"]["subject"]) == ("firing", "edge-9")
        # linkUp on another port clears nothing; on port 3 it resolves the alert
        await send(lambda: senders.snmptrap(trap_port, "2c", LINK_UP, f"{IF_INDEX}.4", "i", "4"))
        await send(lambda: senders.snmptrap(trap_port, "2c", LINK_UP, f"{IF_INDEX}.3", "i", "3"))
        resolved = await alert_frame(communicator, lambda alert, event: event == "resolved")
        assert resolved["alert"]["subject"] == "edge-9 port 3"
        await communicator.disconnect()
    states = await database_sync_to_async(lambda: dict(Alert.objects.values_list("subject", "state")))()
    assert states == {f"host:{host.id}:port:3": "resolved", f"host:{host.id}": "firing"}
