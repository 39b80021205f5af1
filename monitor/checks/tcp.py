"""TCP connect check: can a connection to host:port be opened, and how fast."""

import asyncio
import socket
import time

from monitor.checks.base import CheckKind, CheckSpec, Outcome, elapsed_ms, resolve
from monitor.checks.settings import Setting

# Shared with the kinds that also reach a port (ping's TCP fallback, SNMP): one API field.
PORT = Setting(
    "port", int, None, minimum=1, maximum=65_535, range_message="A port is a number from 1 to 65535.",
    help_text="TCP: the port to connect to. Ping: the port of the TCP fallback (default 80). SNMP: default 161.",
)  # fmt: skip


async def connect_time_ms(address: str, port: int) -> float:
    """Milliseconds to complete a TCP handshake with address:port; raises OSError on failure."""
    family, ip = await resolve(address, port)
    loop = asyncio.get_running_loop()
    # A bare socket, not open_connection(): no transport or stream objects for a
    # connection that is closed as soon as it opens.
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        started = time.perf_counter()
        await loop.sock_connect(sock, (ip, port))
        return elapsed_ms(started)


class Tcp(CheckKind):
    name = "tcp"
    label = "TCP connect"
    settings = (PORT,)
    admin_rows = ("port",)
    csv_syntax = "tcp:<port>"

    async def run(self, spec: CheckSpec) -> Outcome:
        port = spec.options["port"]
        return Outcome(latency_ms=await connect_time_ms(spec.address, port), details={"port": port})

    def describe(self, check) -> str:
        return f"tcp :{check.port}"

    def validate(self, check) -> dict[str, str]:
        return {} if check.port else {"port": "A TCP check needs a port."}

    def from_csv(self, argument: str, check) -> None:
        if not argument.isdigit():
            raise ValueError("write a TCP check as tcp:<port>")
        check.port = int(argument)


KIND = Tcp()
