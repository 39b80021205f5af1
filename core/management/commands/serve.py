"""`manage.py serve`: the web tier, WEB_CONCURRENCY daphne processes sharing one listening socket.

The socket is opened here and handed to each process (daphne --fd), so the kernel
spreads new connections over them. A process that dies loses only its own
connections: their pages reconnect to the others while it is replaced, and what its
sockets held in Redis (places under the per-user cap, chat seats) is freed at once.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.sockets import leases

logger = logging.getLogger(__name__)

DAPHNE = Path(sys.executable).parent / "daphne"
# A process that keeps dying is started again no faster than this.
RESTART_EVERY_S = 1.0
STOP_WAIT_S = 10.0
# Pending connections the kernel queues before a process accepts them (a connect storm;
# the kernel caps it at net.core.somaxconn).
BACKLOG = 4096


def listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(BACKLOG)
    return listener


class WebProcesses:
    def __init__(self, listener: socket.socket, count: int) -> None:
        self.listener = listener
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self.stopping = False

    def start_one(self) -> subprocess.Popen:
        fd = self.listener.fileno()
        command = [str(DAPHNE), "--fd", str(fd), "NetWorkMonitor.asgi:application"]
        process = subprocess.Popen(command, pass_fds=[fd])
        logger.info("web process %d started", process.pid)
        return process

    def run(self) -> None:
        self.processes = [self.start_one() for _ in range(self.count)]
        last_start = time.monotonic()
        while not self.stopping:
            for index, process in enumerate(self.processes):
                code = process.poll()
                if code is None or self.stopping:
                    continue
                logger.error("web process %d exited (%s); starting another", process.pid, code)
                free_holdings(process.pid)
                time.sleep(max(0.0, last_start + RESTART_EVERY_S - time.monotonic()))
                self.processes[index] = self.start_one()
                last_start = time.monotonic()
            time.sleep(0.1)
        self.stop_all()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_WAIT_S
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                free_holdings(process.pid)


def free_holdings(pid: int) -> None:
    try:
        freed = leases.release_owner(leases.owner_name(pid))
    except redis.RedisError as error:  # they end with their leases instead
        logger.warning("holdings of web process %d not freed (%s); they end within %d s", pid, error, leases.LEASE_S)
    else:
        logger.info("freed %d holdings of web process %d", freed, pid)


class Command(BaseCommand):
    help = "Serve the site with WEB_CONCURRENCY daphne processes on one port, restarting any that dies."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--processes", type=int, default=settings.WEB_CONCURRENCY)

    def handle(self, *args, host: str, port: int, processes: int, **options) -> None:
        if processes < 1:
            raise CommandError("--processes must be at least 1")
        web = WebProcesses(listen(host, port), processes)

        def stop(signum, frame) -> None:
            web.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"serving http://{host}:{port}/ with {processes} web processes", ending="\n")
        self.stdout.flush()
        web.run()
