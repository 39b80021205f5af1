"""Real exporters of a veth's traffic: softflowd (NetFlow v5, v9, IPFIX) and pmacctd's sfprobe (sFlow v5).

A known number of bytes goes from this namespace's end of the veth to the other; the
pair's bytes in the live top talkers on the port page's socket must be within 1 % of them.
"""

import subprocess
import tempfile
import time
from pathlib import Path

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
    pytest.mark.skipif(bool(lab.missing("softflowd", "pmacctd")), reason="needs Debian's softflowd and pmacct"),
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


def sfprobe(interface: str, port: int, folder: str):
    """pmacctd sampling every packet of `interface` into sFlow v5 (its ports are not known to it: ifIndex 0)."""
    config = Path(folder) / "pmacctd.conf"
    config.write_text(
        f"daemonize: false\npcap_interface: {interface}\nplugins: sfprobe\nsfprobe_receiver: 127.0.0.1:{port}\n"
        "sfprobe_agentip: 127.0.0.1\nsampling_rate: 1\nplugin_pipe_size: 10240000\nplugin_buffer_size: 10240\n"
    )
    return processes.running(["pmacctd", "-f", str(config)], processes.logged("Sampling at"))


def pair_bytes(frame: dict, pair: str, if_index: int = IF_INDEX) -> int:
    return sum(
        bytes_ for port in frame["ports"] if (port["index"], port["direction"]) == (if_index, "in")
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


EXPORTERS = {
    "netflow-v5": lambda link, ports, folder: softflowd("5", link.host_if, ports[0], folder),
    "netflow-v9": lambda link, ports, folder: softflowd("9", link.host_if, ports[0], folder),
    "ipfix": lambda link, ports, folder: softflowd("10", link.host_if, ports[0], folder),
    "sflow": lambda link, ports, folder: sfprobe(link.host_if, ports[1], folder),
}


@pytest.mark.parametrize("exporter", list(EXPORTERS))
async def test_exported_flows_reach_the_port_page_with_the_top_pair_within_one_percent(alice, exporter):
    host = await exporting_device()
    if_index = 0 if exporter == "sflow" else IF_INDEX
    ports = lab.free_udp_port(), lab.free_udp_port()
    with lab.veth() as link, lab.collector(*ports), tempfile.TemporaryDirectory() as folder:
        communicator = await stats_socket(alice)
        await communicator.send_json_to({"type": "watch", "host": host.id})
        assert await communicator.receive_json_from(timeout=EVENT_TIMEOUT_S) == {"type": "watching", "host": host.id}
        with EXPORTERS[exporter](link, ports, folder):
            probe = f"{link.host_ip} > {link.probe_ip}"
            with lab.probing(link.probe_ip):  # the exporter's capture and the whole chain are up once a probe shows
                await talkers_until(communicator, lambda f: pair_bytes(f, probe, if_index) > 0)
                sent = lab.send_udp(link.inner_ip, DATAGRAMS, PAYLOAD)
                pair = f"{link.host_ip} > {link.inner_ip}"
                frame = await talkers_until(communicator, lambda f: pair_bytes(f, pair, if_index) >= 0.99 * sent)
        await communicator.disconnect()
    assert pair_bytes(frame, pair, if_index) == pytest.approx(sent, rel=0.01)
    [port] = [p for p in frame["ports"] if (p["index"], p["direction"]) == (if_index, "in")]
    assert port["name"] == ("ge-0/0/7" if if_index else "ifIndex 0")
    assert port["pairs"][0][0] == pair  # the top pair
    assert sum(b for _key, b in port["pairs"]) == port["bytes"] == sum(b for _key, b in port["sources"])


def test_the_lab_namespace_is_gone_afterwards():
    with lab.veth() as link:
        namespace = link.namespace
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert namespace not in listed
