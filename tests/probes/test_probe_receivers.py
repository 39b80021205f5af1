"""A probe's event and flow receivers in a network namespace of its own: net-snmp's snmptrap, util-linux
logger and softflowd send to it there; the events and flows appear at the centre, for the device of
their source address; what is sent while the probe's link to the centre is cut arrives afterwards, once.

The namespace reaches the centre's Redis through a veth pair and a forwarder
(tests.stats.test_agent_install); setting the veth down cuts the link. The senders run
inside the namespace, on its loopback: only the probe's receivers can hear them.
"""

import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from core.redis_io.redis_clients import sync_redis
from events import counters
from events.models import Event
from flows.models import Talker
from monitor.models import Host, Site
from tests import processes
from tests.conftest import stats_socket
from tests.events.senders import IF_INDEX, LINK_DOWN, LINK_UP
from tests.flows import lab
from tests.monitor.test_check_pipeline import next_frame
from tests.probes.conftest import make_probe, probe_process
from tests.probes.test_probe_pipeline import until
from tests.stats.test_agent_install import can_make_veth_namespaces, forwarder, ip, namespace_with_veth

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not can_make_veth_namespaces(), reason="needs root and `ip netns` to make a veth namespace"),
    pytest.mark.skipif(bool(lab.missing("snmptrap", "logger", "softflowd")), reason="needs snmp, bsdutils, softflowd"),
]

TRAP_PORT, SYSLOG_PORT, NETFLOW_PORT = 1162, 1514, 2055  # the namespace's own ports
RECEIVERS = {"PROBE_RECEIVE_HOST": "127.0.0.1", "PROBE_TRAP_PORT": str(TRAP_PORT),
             "PROBE_SYSLOG_PORT": str(SYSLOG_PORT), "PROBE_NETFLOW_PORT": str(NETFLOW_PORT)}  # fmt: skip
# Traffic on the namespace's loopback for softflowd to see, until its process ends.
TRAFFIC = (
    "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print('sending', flush=True)\n"
    "while True:\n    s.sendto(bytes(1000), ('127.0.0.1', 9)); time.sleep(0.01)"
)
GARBAGE = "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'garbage', ('127.0.0.1', {port}))"


def inside(namespace: str, *argv: str) -> None:
    done = subprocess.run(["ip", "netns", "exec", namespace, *argv], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def trap(namespace: str, oid: str, if_index: int) -> None:
    inside(namespace, "snmptrap", "-v2c", "-c", "public", f"127.0.0.1:{TRAP_PORT}", "", oid,
           f"{IF_INDEX}.{if_index}", "i", str(if_index))  # fmt: skip


def syslog(namespace: str, text: str, transport: str = "-d") -> None:
    """`transport`: -d for UDP, -T for TCP."""
    inside(namespace, "logger", transport, "-n", "127.0.0.1", "-P", str(SYSLOG_PORT), "-t", "edge", text)


def waiting_on_disk(path: Path, receiver: str) -> int:
    """Datagrams of `receiver` in the probe's datagram buffer: taken, not yet sent."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM entries WHERE text LIKE ?", (f'%"receiver":"{receiver}"%',)).fetchone()[
            0
        ]


@database_sync_to_async
def branch_device():
    site = Site.objects.create(name="branch-receivers")
    host = Host.objects.create(name="branch-edge", address="127.0.0.1", site=site)
    probe, key = make_probe(site)
    return host, probe, key


def texts(host: Host) -> list[str]:
    return sorted(Event.objects.filter(device=host).values_list("text", flat=True))


def api_events(user, host_id: int) -> list[dict]:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client.get(f"/api/events/?device={host_id}").json()["results"]


async def test_traps_syslog_and_flows_taken_by_a_probe_reach_the_centre_once_across_a_cut_link(alice, tmp_path):
    host, probe, key = await branch_device()
    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    communicator = await stats_socket(alice)
    await communicator.send_json_to({"type": "watch", "host": host.id})
    disk = tmp_path / ".local" / "state" / "netmon-probe" / f"{probe.name}-datagrams.sqlite"  # under its HOME
    with namespace_with_veth() as (namespace, _, host_ip, _), forwarder(host_ip, redis_port) as port, \
            processes.probes_service(), \
            probe_process(probe, key, tmp_path, namespace, f"redis://{host_ip}:{port}/0", **RECEIVERS) as running, \
            processes.running(["python3", "-c", TRAFFIC], processes.logged("sending"), namespace=namespace), \
            processes.running(["softflowd", "-d", "-N", "-i", "7:lo", "-n", f"127.0.0.1:{NETFLOW_PORT}", "-v", "9",
                               "-t", "maxlife=1", "-t", "expint=1", "-p", str(tmp_path / "pid"),
                               "-c", str(tmp_path / "ctl")], lambda _output: True, namespace=namespace):  # fmt: skip
        trap(namespace, LINK_DOWN, 2)
        syslog(namespace, "before the cut")
        syslog(namespace, "over tcp", "-T")
        frame = await next_frame(communicator, lambda f: f["type"] == "events")
        await until(lambda: len(texts(host)) == 3, "the trap and the messages")
        await until(lambda: Talker.objects.filter(host=host, key="udp/9").exists(), "softflowd's flows")

        host_if = f"nmh{namespace.removeprefix('nm-')}"
        ip("link", "set", host_if, "down")  # the branch office's link to the centre is cut
        trap(namespace, LINK_UP, 3)
        syslog(namespace, "during the cut")
        await until(lambda: waiting_on_disk(disk, "syslog") and waiting_on_disk(disk, "trap"), "them on the disk")
        assert await database_sync_to_async(texts)(host) == sorted(
            ["before the cut", "over tcp", "IF-MIB::ifIndex.2=2"]
        )
        ip("link", "set", host_if, "up")
        await until(lambda: len(texts(host)) == 5, "what was sent during the cut")

        inside(namespace, "python3", "-c", GARBAGE.format(port=TRAP_PORT))
        drops = f"malformed BER: truncated BER|127.0.0.1 via probe {probe.name}".encode()
        await until(lambda: sync_redis().hget(counters.drops_key(), drops), "the garbage counted")
        assert running.poll() is None  # the probe took it in its stride
        listed = await database_sync_to_async(api_events)(alice, host.id)
    await communicator.disconnect()
    sync_redis().hdel(counters.drops_key(), drops)

    assert frame["host"] == host.id
    assert {e["text"] for e in frame["events"]} <= {"before the cut", "over tcp", "IF-MIB::ifIndex.2=2"}
    assert await database_sync_to_async(texts)(host) == sorted(
        ["before the cut", "over tcp", "during the cut", "IF-MIB::ifIndex.2=2", "IF-MIB::ifIndex.3=3"]
    )  # each once
    assert sorted(e["text"] for e in listed) == await database_sync_to_async(texts)(host)
    assert {e["source"] for e in listed} == {"127.0.0.1"}
