"""Check targets for the benchmarks: many listening ports in one thread, and a host with a TCP check on each.

Import after django.setup().
"""

import selectors
import socket
import threading
import time
from collections import defaultdict

from monitor.models import Check, Host


class Targets:
    """HOSTS listening ports in one thread; records when each accepted a connection."""

    def __init__(self, count: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.accepted: dict[int, list[float]] = defaultdict(list)
        self.ports = []
        for _ in range(count):
            server = socket.create_server(("127.0.0.1", 0), backlog=64)
            server.setblocking(False)
            port = server.getsockname()[1]
            self.ports.append(port)
            self.selector.register(server, selectors.EVENT_READ, port)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                try:
                    connection, _ = key.fileobj.accept()
                except BlockingIOError:
                    continue
                self.accepted[key.data].append(time.time())
                connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)


def create_hosts(ports: list[int], interval_s: int) -> None:
    hosts = Host.objects.bulk_create(Host(name=f"bench-{i:04d}", address="127.0.0.1") for i in range(len(ports)))
    Check.objects.bulk_create(
        Check(host=host, kind="tcp", port=port, interval_s=interval_s, timeout_s=5)
        for host, port in zip(hosts, ports, strict=True)
    )
