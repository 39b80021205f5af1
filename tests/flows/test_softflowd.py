"""softflowd exports NetFlow v5, v9 and IPFIX of a veth's traffic; the top talkers reach the port page's socket.

A known number of bytes goes from this namespace's end of the veth to the other; the pair's
bytes in the live top talkers must be within 1 % of them.
"""

import subprocess
import tempfile
import time

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from monitor.devices.models import Interface
from monitor.models import Host
from tests import processes
from tests.conftest import stats_socket
from tests.flows import lab
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not lab.can_make_namespaces(), reason="needs root and `ip netns` to make a veth namespace"),
    pytest.mark.skipif(bool(lab.missing("softflowd")), reason="needs Debian's softflowd"),
]
IF_INDEX = 7
DATAGRAMS, PAYLOAD = 2000, 1000


@database_sync_to_async
def exporting_device() -> Host:
    """The device the flows come from: the exporter's address (loopback here) is the host's."""
    host = Host.objects.create(name="edge-router", address="127.0.0.1")
    Interface.objects.create(host=host, index=IF_INDEX, name="ge-0/0/7", polled_at=timezone.now())
    return host


def softflowd(version: str, interface: str, port: int, folder: str):
    command = ["softflowd", "-d", "-N", "-i", f"{IF_INDEX}:{interface}", "-n", f"127.0.0.1:{port}", "-v", version,
               "-t", "maxlife=1", "-t", "expint=1", "-B", "8388608", "-p", f"{folder}/pid", "-c", f"{folder}/ctl"]  # fmt: skip
    return processes.running(command, lambda _output: True)


def pair_bytes(frame: dict, pair: str) -> int:
    return sum(
        bytes_ for port in frame["ports"] if (port["index"], port["direction"]) == (IF_INDEX, "in")
        for key, bytes_ in port["pairs"] if key == pair
    )  # fmt: skip


async def talkers_until(communicator, done) -> dict:
    """The first flow_talkers frame for which `done(frame)` holds."""
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while True:
        # One bound for the whole wait: a receive that times out ends the socket's application.
        frame = await communicator.receive_json_from(timeout=max(deadline - time.monotonic(), 0.01))
        if frame["type"] == "flow_talkers" and done(frame):
            return frame


@pytest.mark.parametrize("version", ["5", "9", "10"])
async def test_softflowd_exports_reach_the_port_page_with_the_top_pair_within_one_percent(alice, version):
    host = await exporting_device()
    netflow_port, sflow_port = lab.free_udp_port(), lab.free_udp_port()
    with lab.veth() as link, lab.collector(netflow_port, sflow_port), tempfile.TemporaryDirectory() as folder:
        communicator = await stats_socket(alice)
        await communicator.send_json_to({"type": "watch", "host": host.id})
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "watching", "host": host.id}
        with softflowd(version, link.host_if, netflow_port, folder):
            probe = f"{link.host_ip} > {link.probe_ip}"
            with lab.probing(link.probe_ip):  # the exporter's capture and the whole chain are up once a probe shows
                await talkers_until(communicator, lambda f: pair_bytes(f, probe) > 0)
                sent = lab.send_udp(link.inner_ip, DATAGRAMS, PAYLOAD)
                pair = f"{link.host_ip} > {link.inner_ip}"
                frame = await talkers_until(communicator, lambda f: pair_bytes(f, pair) >= 0.99 * sent)
        await communicator.disconnect()
    assert pair_bytes(frame, pair) == pytest.approx(sent, rel=0.01)
    [port] = [p for p in frame["ports"] if (p["index"], p["direction"]) == (IF_INDEX, "in")]
    assert port["name"] == "ge-0/0/7"
    assert port["pairs"][0][0] == pair  # the top pair
    assert sum(b for _key, b in port["pairs"]) == port["bytes"] == sum(b for _key, b in port["sources"])


def test_the_lab_namespace_is_gone_afterwards():
    with lab.veth() as link:
        namespace = link.namespace
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert namespace not in listed
