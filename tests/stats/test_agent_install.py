"""The agent as users install it: the built wheel in a virtualenv of its own, in a network
namespace of its own, with nothing but a Redis URL and a name.

The namespace reaches the host through a veth pair addressed from 169.254.0.0/16:
link-local addresses are never routed beyond the link, so nothing can leave the machine.
"""

import asyncio
import os
import random
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests import processes
from tests.conftest import socket as websocket
from tests.stats.test_pipeline import frames_from, wait_for_history
from tests.waits import EVENT_TIMEOUT_S

pytestmark = [pytest.mark.pipeline, pytest.mark.usefixtures("no_latest_frames")]


def can_make_veth_namespaces() -> bool:
    return os.geteuid() == 0 and subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def namespace_with_veth() -> Iterator[tuple[str, str, str, str]]:
    """(namespace, its interface, host-side address, namespace-side address); removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    namespace, host_if, inner_if = f"nm-{tag}", f"nmh{tag}", f"nma{tag}"
    octet = random.choice([n for n in range(1, 250) if n != 169])  # 169.254.169.254 is cloud metadata
    host_ip, inner_ip = f"169.254.{octet}.1", f"169.254.{octet}.2"
    ip("netns", "add", namespace)
    try:
        ip("link", "add", host_if, "type", "veth", "peer", "name", inner_if, "netns", namespace)
        ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        ip("link", "set", host_if, "up")
        ip("-n", namespace, "addr", "add", f"{inner_ip}/30", "dev", inner_if)
        ip("-n", namespace, "link", "set", inner_if, "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        yield namespace, inner_if, host_ip, inner_ip
    finally:
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)  # takes the veth pair along
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)


@contextmanager
def forwarder(listen_host: str, target_port: int) -> Iterator[int]:
    """A TCP forwarder from listen_host to the loopback Redis, in a thread; yields its port."""
    loop = asyncio.new_event_loop()

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(reader, writer):
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    started, ports = threading.Event(), []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(asyncio.start_server(handle, listen_host, 0, family=socket.AF_INET))
        ports.append(server.sockets[0].getsockname()[1])
        started.set()
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10), "the forwarder did not start"
    try:
        yield ports[0]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture(scope="module")
def agent_venv(wheel_venv):
    """The wheel `make agent-wheel` builds, installed as it is (no extra) into a bare virtualenv (once a run: tests/conftest.py)."""
    # Nothing of the server came along.
    found = subprocess.run([str(wheel_venv / "bin" / "python"), "-c", "import django"], capture_output=True)
    assert found.returncode != 0
    return wheel_venv


@pytest.mark.skipif(not can_make_veth_namespaces(), reason="needs root and `ip netns` to make a veth namespace")
async def test_the_installed_agent_in_its_own_namespace_shows_its_own_interfaces_and_is_ingested(alice, agent_venv):
    name = processes.agent_name("netns")
    processes.register(name)
    communicator = await websocket("/ws/stats/", alice)
    assert (await communicator.connect())[0]
    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    with namespace_with_veth() as (namespace, inner_if, host_ip, _), forwarder(host_ip, redis_port) as port:
        environment = {"REDIS_URL": f"redis://{host_ip}:{port}/0", "AGENT_NAME": name,
                       "REDIS_PREFIX": settings.REDIS_PREFIX}  # fmt: skip
        command = ["ip", "netns", "exec", namespace, "env", "-i",
                   *(f"{key}={value}" for key, value in environment.items()), str(agent_venv / "bin" / "netmon-agent")]  # fmt: skip
        agent = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            with processes.ingest():
                [*_, second] = await frames_from(communicator, name, 2)
                await wait_for_history(name, {int(second["ts"])})
        finally:
            agent.terminate()
            output = agent.communicate(timeout=EVENT_TIMEOUT_S)[0]
    await communicator.disconnect()

    assert set(second["net"]) == {"lo", inner_if}, output  # the namespace's interfaces, not the host's
    assert second["net"][inner_if]["up"] is True
    assert agent.returncode == 0, output
    assert "sampling every 1.0 s" in output
