"""The receiver process with real senders: each event reaches the device's page socket and the
database; INFORMs are acknowledged; a linkDown turns the port down before any poll."""

import asyncio
import time
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from django.test import Client

from events.models import Event, TrapUser, UnknownSource
from monitor.devices.models import Device, Interface
from monitor.models import Host
from tests.conftest import stats_socket
from tests.events import senders
from tests.events.senders import COLD_START, IF_INDEX, LINK_DOWN, LINK_UP, V3_USER
from tests.processes import events_receiver
from tests.waits import EVENT_TIMEOUT_S


def make_device() -> Host:
    host = Host.objects.create(name="edge-1", address="127.0.0.1")
    now = datetime.now(UTC)
    Device.objects.create(host=host, sys_name="edge-1", discovered_at=now)
    Interface.objects.create(host=host, index=2, name="eth1", oper_status="up", polled_at=now)
    TrapUser.objects.create(device=host, user=V3_USER["user"], engine_id=V3_USER["engine_id"],
                            auth_password=V3_USER["auth"], priv_password=V3_USER["priv"])  # fmt: skip
    return host


async def watching(user, host_id: int):
    communicator = await stats_socket(user)
    await communicator.send_json_to({"type": "watch", "host": host_id})
    await next_frame(communicator, lambda f: f["type"] == "watching")
    return communicator


async def next_frame(communicator, wanted) -> dict:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while True:
        frame = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if wanted(frame):
            return frame


async def texts_seen(communicator, expected: set[str]) -> dict[str, dict]:
    """Every expected text among the "events" frames' events (a text is found in an event's text)."""
    seen: dict[str, dict] = {}

    def record(frame) -> bool:
        for event in frame.get("events", []) if frame["type"] == "events" else []:
            seen.update({text: event for text in expected if text in event["text"]})
        return set(seen) == expected

    await next_frame(communicator, record)
    return seen


async def sent(*commands) -> None:
    """Run sender commands (subprocess calls) off the loop; each must succeed."""
    for argv_call in commands:
        result = await asyncio.to_thread(argv_call)
        assert result.returncode == 0, result.stderr


async def test_every_sender_reaches_the_device_page_and_the_database(alice, ports):
    host = await database_sync_to_async(make_device)()
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port):
        communicator = await watching(alice, host.id)
        await sent(
            lambda: senders.logger(syslog_port, "udp-5424 fan failed", "-d", "--rfc5424"),
            lambda: senders.logger(syslog_port, "udp-3164 psu failed", "-d", "--rfc3164"),
            lambda: senders.logger(syslog_port, "tcp-octets bgp reset", "-T", "--octet-count", "--rfc5424"),
            lambda: senders.logger(syslog_port, "tcp-newline login failed", "-T", "--rfc3164"),
            lambda: senders.snmptrap(trap_port, "1", COLD_START, f"{IF_INDEX}.7", "i", "7"),
            lambda: senders.snmptrap(trap_port, "2c", LINK_UP, f"{IF_INDEX}.8", "i", "8"),
            lambda: senders.snmptrap(trap_port, "3", LINK_UP, f"{IF_INDEX}.9", "i", "9"),
            # snmpinform exits 0 only when the receiver answered
            lambda: senders.snmpinform(trap_port, "2c", LINK_UP, f"{IF_INDEX}.10", "i", "10"),
            lambda: senders.snmpinform(trap_port, "3", LINK_UP, f"{IF_INDEX}.11", "i", "11"),
        )
        expected = {"udp-5424", "udp-3164", "tcp-octets", "tcp-newline", "=7", "=8", "=9", "=10", "=11"}
        seen = await texts_seen(communicator, expected)
        await communicator.disconnect()
    assert seen["udp-5424"]["kind"] == "syslog"
    assert seen["=8"]["name"] == "IF-MIB::linkUp"
    assert seen["=9"]["text"] == "IF-MIB::ifIndex.9=9"
    stored = await database_sync_to_async(lambda: list(Event.objects.filter(device=host)))()
    assert len(stored) == 9
    assert {e.kind for e in stored} == {"trap", "syslog"}
    listed = await database_sync_to_async(api_events)(alice, host.id)
    assert len(listed) == 9
    assert {"IF-MIB::linkUp", "SNMPv2-MIB::coldStart"} <= {e["trap_name"] for e in listed}


def api_events(user, host_id: int) -> list[dict]:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client.get(f"/api/events/?device={host_id}").json()["results"]


async def test_a_link_down_trap_turns_the_port_down_before_any_poll(alice, ports):
    host = await database_sync_to_async(make_device)()
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port):
        communicator = await watching(alice, host.id)
        await sent(lambda: senders.snmptrap(trap_port, "2c", LINK_DOWN, f"{IF_INDEX}.2", "i", "2"))
        frame = await next_frame(communicator, lambda f: f["type"] == "ports")
        assert [(p["index"], p["oper"]) for p in frame["ports"]] == [(2, "down")]
        await sent(lambda: senders.snmptrap(trap_port, "1", LINK_UP, f"{IF_INDEX}.2", "i", "2"))
        frame = await next_frame(communicator, lambda f: f["type"] == "ports")
        assert [(p["index"], p["oper"]) for p in frame["ports"]] == [(2, "up")]
        await sent(lambda: senders.snmptrap(trap_port, "2c", COLD_START))
        cold = await next_frame(communicator, lambda f: f["type"] == "events")
        assert cold["events"][0]["name"] == "SNMPv2-MIB::coldStart"
        device = await wait_for_row(lambda: Device.objects.filter(host=host, restarted_at__isnull=False).first())
        await communicator.disconnect()
    interface = await database_sync_to_async(Interface.objects.get)(host=host, index=2)
    assert interface.oper_status == "up"
    assert interface.oper_changed_at is not None
    assert device.restarted_at is not None


async def test_a_source_that_is_no_device_is_kept_and_listed(transactional_db, ports):
    trap_port, syslog_port = ports
    with events_receiver(trap_port, syslog_port):
        await sent(lambda: senders.logger(syslog_port, "from nowhere", "-d"))
        await sent(lambda: senders.logger(syslog_port, "from nowhere again", "-d"))
        unknown = await wait_for_row(lambda: UnknownSource.objects.filter(address="127.0.0.1", count=2).first())
    assert unknown.count == 2
    assert await database_sync_to_async(Event.objects.filter(device=None).count)() == 2


async def wait_for_row(query):
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while (found := await database_sync_to_async(query)()) is None:
        assert time.monotonic() < deadline, "not stored in time"
        await asyncio.sleep(0.05)
    return found
