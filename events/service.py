"""The network events receiver (`manage.py receive_events`): SNMP traps and syslog.

On one asyncio loop: the trap socket (TRAP_PORT, UDP), syslog on SYSLOG_PORT over UDP
and TCP, the live path (events.live) and the counts (events.counters). In a thread:
the writer (events.writer). Each runs supervised (core.supervision).
"""

import asyncio
import contextlib
import logging
import signal
import socket
import threading

from django.conf import settings
from pysnmp.carrier.asyncio.dgram import udp, udp6

from core.supervision import supervised, supervised_thread
from events.counters import keep_counting
from events.intake import Intake
from events.live import keep_publishing
from events.mibs import names
from events.syslog_listeners import SyslogDatagrams, syslog_streams
from events.trap_listener import RECEIVE_BUFFER, open_transport
from events.trap_v3 import V3Receiver
from events.writer import Writer

logger = logging.getLogger(__name__)

LIVE, COUNTS, WRITER = "events-live", "events-counts", "events-writer"


def bound_udp(host: str, port: int) -> socket.socket:
    """Bound here, not by the loop, so that a port in use stops the process at once with its reason."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.bind((host, port))
    return sock


async def listen(intake: Intake, v3: V3Receiver) -> asyncio.Server:
    loop, host = asyncio.get_running_loop(), settings.EVENTS_HOST
    traps = open_transport(intake, v3, host, bound_udp(host, settings.TRAP_PORT))
    v3.attach(traps, udp6.DOMAIN_NAME if ":" in host else udp.DOMAIN_NAME)
    await traps._lport  # the endpoint pysnmp created on the socket
    SyslogDatagrams(intake, bound_udp(host, settings.SYSLOG_PORT)).start(loop)
    server = await asyncio.start_server(syslog_streams(intake).handle, host, settings.SYSLOG_PORT)
    logger.info("receiving traps on udp %s:%s, syslog on udp and tcp %s:%s",
                host, settings.TRAP_PORT, host, settings.SYSLOG_PORT)  # fmt: skip
    return server


async def serve(intake: Intake, v3: V3Receiver, ready: threading.Event) -> None:
    await asyncio.to_thread(names)  # the MIBs loaded before the first trap, not on it
    server = await listen(intake, v3)
    ready.set()
    tasks = [
        asyncio.create_task(supervised(LIVE, lambda: keep_publishing(intake), shared=True)),
        asyncio.create_task(supervised(COUNTS, lambda: keep_counting(intake), shared=True)),
    ]
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: [task.cancel() for task in tasks])
    with contextlib.suppress(asyncio.CancelledError):  # SIGTERM: a clean stop
        await asyncio.gather(*tasks)
    server.close()


def run() -> None:
    intake, stop, ready = Intake(), threading.Event(), threading.Event()
    holder: dict = {}

    def on_users(users) -> None:  # from the writer thread: the engine belongs to the loop
        ready.wait()
        holder["loop"].call_soon_threadsafe(holder["v3"].set_users, users)

    def on_mibs() -> None:  # the MIB view is read on the loop: changed there
        ready.wait()
        holder["loop"].call_soon_threadsafe(names().load_vendor)

    async def main() -> None:
        holder["loop"], holder["v3"] = asyncio.get_running_loop(), V3Receiver(intake)
        await serve(intake, holder["v3"], ready)

    # One Writer for every start of its thread: a batch it holds survives a restart.
    keeper = Writer(intake, on_users, on_mibs)
    writer = supervised_thread(WRITER, lambda: keeper.run(stop), stop, shared=True)
    try:
        asyncio.run(main())
    finally:
        stop.set()
        ready.set()
        writer.join(30)  # lets the batch in hand commit
