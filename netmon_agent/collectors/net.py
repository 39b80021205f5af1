import psutil

from netmon_agent.collectors.base import Collector
from netmon_agent.rates import rates

# Frame field -> psutil counter, for the per-second rates of each interface.
COUNTERS = {
    "rx_bps": "bytes_recv",
    "tx_bps": "bytes_sent",
    "rx_pps": "packets_recv",
    "tx_pps": "packets_sent",
    "rx_errors_ps": "errin",
    "tx_errors_ps": "errout",
    "rx_drops_ps": "dropin",
    "tx_drops_ps": "dropout",
}


class NetCollector(Collector):
    """Per-interface throughput, packet, error and drop rates, link state, speed and MTU."""

    key = "net"

    def __init__(self) -> None:
        self._previous: dict[str, dict[str, int]] = {}

    def collect(self, elapsed):
        counters = psutil.net_io_counters(pernic=True)
        links = psutil.net_if_stats()
        previous, self._previous = self._previous, {}
        result = {}
        for name, io in counters.items():
            current = {field: getattr(io, counter) for field, counter in COUNTERS.items()}
            self._previous[name] = current
            per_second = rates(previous.get(name), current, elapsed)
            link = links.get(name)
            result[name] = {
                **{field: None if value is None else round(value, 1) for field, value in per_second.items()},
                "up": bool(link and link.isup),
                "speed_mbps": link.speed if link and link.speed > 0 else None,
                "mtu": link.mtu if link else None,
            }
        return result
