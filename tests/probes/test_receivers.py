"""The probe's receivers: real senders in, its datagram stream out, through its disk while Redis is away."""

import asyncio
import socket
import time

import pytest
from django.conf import settings

from core.redis_io.redis_clients import sync_redis
from netmon_probe import cli, datagrams, keys
from netmon_probe.buffer import Buffer
from netmon_probe.cli import redis_client
from netmon_probe.receivers import BUFFER_FULL, RATE_LIMITED, Forwarder, Settings
from tests.events import senders
from tests.servers import free_port
from tests.waits import EVENT_TIMEOUT_S

NAME = "probe-receivers"
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def stream():
    key = keys.datagrams_key(settings.REDIS_PREFIX, NAME)
    yield key
    sync_redis().delete(key)


def forwarder(tmp_path, url: str, ports: dict, max_entries: int = 1000, rate: float = 1000.0) -> Forwarder:
    receiving = Settings("127.0.0.1", ports, events_per_source=rate, flows_per_exporter=rate)
    return Forwarder(
        redis_client(url), NAME, Buffer(tmp_path / "d.sqlite", max_entries), settings.REDIS_PREFIX, receiving
    )


async def until(condition, what: str) -> None:
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def sent(stream: str) -> list[datagrams.Datagram]:
    return [datagrams.parsed(fields[keys.ENTRY_FIELD.encode()]) for _, fields in sync_redis().xrange(stream)]


async def test_real_traps_and_syslog_wait_on_disk_while_redis_is_away_and_go_out_once(tmp_path, stream):
    trap_port, syslog_port = free_port(), free_port()
    probe = forwarder(tmp_path, UNREACHABLE, {datagrams.TRAP: trap_port, datagrams.SYSLOG: syslog_port})
    transports = await probe.open()
    try:
        before = time.time()
        trap = await asyncio.to_thread(senders.snmptrap, trap_port, "2c", senders.LINK_DOWN, f"{senders.IF_INDEX}.2",
                                       "i", "2")  # fmt: skip
        logged = await asyncio.to_thread(senders.logger, syslog_port, "kept through the outage")
        assert trap.returncode == logged.returncode == 0, (trap.stderr, logged.stderr)
        await until(lambda: probe.taken == 2, "both datagrams")
        await asyncio.to_thread(probe.flush)
        assert (probe.buffer.count, probe.linked, sent(stream)) == (2, False, [])

        probe.client = redis_client(settings.REDIS_URL)  # the link is back
        await asyncio.to_thread(probe.flush)
        await asyncio.to_thread(probe.flush)
    finally:
        for transport in transports:
            transport.close()
    out = sent(stream)
    assert [d.receiver for d in out] == [datagrams.TRAP, datagrams.SYSLOG]
    assert all(d.source == "127.0.0.1" and before <= d.received <= time.time() for d in out)
    assert out[0].payload.startswith(b"\x30")  # raw BER, read at the centre
    assert out[1].payload.endswith(b"kept through the outage")
    assert probe.buffer.count == 0


async def test_syslog_over_tcp_is_forwarded_a_frame_at_a_time(tmp_path, stream):
    port = free_port()
    probe = forwarder(tmp_path, settings.REDIS_URL, {datagrams.SYSLOG: port})
    transports = await probe.open()
    try:
        for text, framing in (("newline ended", []), ("octet counted", ["--octet-count"])):
            done = await asyncio.to_thread(senders.logger, port, text, "-T", *framing)
            assert done.returncode == 0, done.stderr
        await until(lambda: probe.taken == 2, "both frames")
        await asyncio.to_thread(probe.flush)
    finally:
        for transport in transports:
            transport.close()
    out = sent(stream)
    assert [d.receiver for d in out] == [datagrams.SYSLOG, datagrams.SYSLOG]
    assert out[0].payload.endswith(b"newline ended")
    assert out[1].payload.endswith(b"octet counted")
    assert not out[1].payload[:1].isdigit()  # the frame, without its count


async def test_a_storm_from_one_source_is_dropped_and_counted_and_another_source_still_gets_through(tmp_path, stream):
    port = free_port()
    probe = forwarder(tmp_path, settings.REDIS_URL, {datagrams.SYSLOG: port}, rate=5)  # a burst of 10
    transports = await probe.open()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as storm, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:  # fmt: skip
            quiet.bind(("127.0.0.2", 0))
            for n in range(200):
                storm.sendto(b"<11>storm %d" % n, ("127.0.0.1", port))
            quiet.sendto(b"<11>the quiet one", ("127.0.0.1", port))
            await until(lambda: probe.taken + probe.dropped.total() == 201, "every datagram")
        await asyncio.to_thread(probe.flush)
    finally:
        for transport in transports:
            transport.close()
    assert probe.dropped[(RATE_LIMITED, "127.0.0.1")] >= 180
    assert [d.payload for d in sent(stream) if d.source == "127.0.0.2"] == [b"<11>the quiet one"]


async def test_past_its_bound_the_disk_buffer_drops_the_oldest_and_counts_them(tmp_path, stream):
    port = free_port()
    probe = forwarder(tmp_path, UNREACHABLE, {datagrams.NETFLOW: port}, max_entries=3)
    [transport] = await probe.open()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as exporter:
            for n in range(5):
                exporter.sendto(bytes([0, 5, n]), ("127.0.0.1", port))
        await until(lambda: probe.taken == 5, "five datagrams")
        await asyncio.to_thread(probe.flush)
    finally:
        transport.close()
    probe.client = redis_client(settings.REDIS_URL)
    await asyncio.to_thread(probe.flush)
    assert [d.payload[2] for d in sent(stream)] == [2, 3, 4]
    assert probe.dropped[(BUFFER_FULL, "any")] == 2


def test_its_settings_are_read_from_the_environment_and_a_bad_one_is_named():
    assert Settings.from_env({}).ports == {}
    receiving = Settings.from_env({"PROBE_TRAP_PORT": "1162", "PROBE_SFLOW_PORT": "6343", "PROBE_RECEIVE_HOST": "::"})
    assert (receiving.host, receiving.ports) == ("::", {datagrams.TRAP: 1162, datagrams.SFLOW: 6343})
    with pytest.raises(ValueError, match="PROBE_SYSLOG_PORT"):
        Settings.from_env({"PROBE_SYSLOG_PORT": "syslog"})
    with pytest.raises(ValueError, match="PROBE_NETFLOW_PORT"):
        Settings.from_env({"PROBE_NETFLOW_PORT": "70000"})


def test_a_receiver_port_in_use_stops_the_probe_at_start_with_its_reason(tmp_path, caplog):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        lines = {"REDIS_URL": UNREACHABLE, "PROBE_NAME": NAME, "PROBE_BUFFER": str(tmp_path / "p.sqlite"),
                 "PROBE_RECEIVE_HOST": "127.0.0.1", "PROBE_NETFLOW_PORT": str(port)}  # fmt: skip
        (tmp_path / "p.env").write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        assert cli.main(["--env-file", str(tmp_path / "p.env")]) == cli.EXIT_REFUSED
    assert "cannot open a receiver" in caplog.text
