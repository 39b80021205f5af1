"""Which monitored device an exporter is: the host whose address is the exporter's, looked up and cached."""

import ipaddress
import time

from monitor.models import Host

REFRESH_S = 60.0


class ExporterMap:
    def __init__(self) -> None:
        self._by_address: dict[str, int] = {}
        self._loaded_at = float("-inf")

    def host_id(self, exporter: str) -> int | None:
        """In a thread that may use the database: the host of `exporter`, or None."""
        if time.monotonic() - self._loaded_at > REFRESH_S:
            self._by_address = dict(_by_address())
            self._loaded_at = time.monotonic()
        return self._by_address.get(exporter)


def _by_address():
    for host_id, address in Host.objects.values_list("id", "address"):
        try:
            yield str(ipaddress.ip_address(address)), host_id
        except ValueError:
            continue  # a DNS name: exporters are matched by address
