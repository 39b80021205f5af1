"""A veth pair to a network namespace the test makes, and the flow collector process, for the exporter tests."""

import os
import random
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests import processes


def can_make_namespaces() -> bool:
    return os.geteuid() == 0 and subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0


def missing(*tools: str) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass(frozen=True)
class Veth:
    namespace: str
    host_if: str  # the end in this (the root) namespace, where the exporter captures
    host_ip: str
    inner_ip: str  # the namespace's end: the measured traffic goes here
    probe_ip: str  # a second address there, for traffic that only shows the chain is up


@contextmanager
def veth() -> Iterator[Veth]:
    tag = uuid.uuid4().hex[:6]
    namespace, host_if, inner_if = f"nmflows-{tag}", f"nmfh{tag}", f"nmfi{tag}"
    net = f"198.19.{random.randrange(1, 255)}"
    ip("netns", "add", namespace)
    try:
        ip("link", "add", host_if, "type", "veth", "peer", "name", inner_if, "netns", namespace)
        ip("addr", "add", f"{net}.1/29", "dev", host_if)
        ip("link", "set", host_if, "up")
        for host in (2, 3):
            ip("-n", namespace, "addr", "add", f"{net}.{host}/29", "dev", inner_if)
        ip("-n", namespace, "link", "set", inner_if, "up")
        yield Veth(namespace, host_if, f"{net}.1", f"{net}.2", f"{net}.3")
    finally:
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)  # takes the veth pair along
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def collector(netflow_port: int, sflow_port: int, **settings: str):
    """The flow collector as `make run` starts it, on the given ports, sending live talkers twice a second
    (`settings`: more of its environment)."""
    command = processes.process_command("flows")
    env = {"NETFLOW_PORT": str(netflow_port), "SFLOW_PORT": str(sflow_port), "FLOWS_LIVE_EVERY_S": "0.5", **settings}
    return processes.running(command, processes.logged("flows collector listening"), **env)


@contextmanager
def probing(destination: str) -> Iterator[None]:
    """A steady 100 KB/s to `destination` until the block ends.

    libpcap hands packets to softflowd a ring block at a time and softflowd asks for no
    timeout, so the last packets of a burst wait until later traffic fills their block:
    this traffic keeps blocks filling, to another address than the one measured.
    """
    stop = threading.Event()

    def send() -> None:
        while not stop.wait(0.01):
            send_udp(destination, 1, 1000)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        yield
    finally:
        stop.set()
        sender.join()


def send_udp(destination: str, count: int, payload: int, port: int = 9) -> int:
    """`count` datagrams of `payload` bytes; returns the IP bytes sent (each with its 20 + 8 bytes of headers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(count):
            sender.sendto(bytes(payload), (destination, port))
    return count * (payload + 28)
