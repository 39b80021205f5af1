"""Which values of a stats frame or a check result are kept as history, and under what names."""

from collections.abc import Iterator

# metric -> (unit, description). Agent metrics carry a label when there is one per
# interface or mount; check metrics belong to the source "check:<id>".
AGENT_METRICS = {
    "cpu.percent": ("%", "CPU in use"),
    "cpu.user": ("%", "CPU user"),
    "cpu.system": ("%", "CPU system"),
    "cpu.iowait": ("%", "CPU waiting for I/O"),
    "mem.percent": ("%", "memory in use"),
    "mem.swap_percent": ("%", "swap in use"),
    "load.1m": ("", "load average, 1 min"),
    "load.5m": ("", "load average, 5 min"),
    "load.15m": ("", "load average, 15 min"),
    "disk.percent": ("%", "disk space in use, per mount"),
    "net.rx_bps": ("B/s", "received, per interface"),
    "net.tx_bps": ("B/s", "sent, per interface"),
    "net.rx_errors_ps": ("1/s", "receive errors, per interface"),
    "net.tx_errors_ps": ("1/s", "transmit errors, per interface"),
    "net.rx_drops_ps": ("1/s", "receive drops, per interface"),
    "net.tx_drops_ps": ("1/s", "transmit drops, per interface"),
    "tcp.established": ("", "established TCP connections"),
}
CHECK_METRICS = {
    "check.up": ("", "1 when the check passed (UP or DEGRADED), 0 when DOWN"),
    "check.latency_ms": ("ms", "check latency"),
    "check.loss_pct": ("%", "packet loss of a ping check"),
}
METRICS = AGENT_METRICS | CHECK_METRICS

_SCALARS = {
    "cpu": ("percent", "user", "system", "iowait"),
    "mem": ("percent", "swap_percent"),
    "load": ("1m", "5m", "15m"),
    "tcp": ("established",),
}
_INTERFACE_RATES = ("rx_bps", "tx_bps", "rx_errors_ps", "tx_errors_ps", "rx_drops_ps", "tx_drops_ps")

Point = tuple[str, str, float]  # metric, label, value


def agent_source(name: str) -> str:
    return f"agent:{name}"


def check_source(check_id: int) -> str:
    return f"check:{check_id}"


def frame_points(frame: dict) -> Iterator[Point]:
    """The kept values of one stats frame. Interfaces that are down are left out."""
    for group, keys in _SCALARS.items():
        values = frame.get(group) or {}
        for key in keys:
            if is_number(values.get(key)):
                yield f"{group}.{key}", "", float(values[key])
    for mount, usage in ((frame.get("disk") or {}).get("mounts") or {}).items():
        if is_number(usage.get("percent")):
            yield "disk.percent", mount, float(usage["percent"])
    for interface, nic in (frame.get("net") or {}).items():
        if not nic.get("up", True):
            continue
        for key in _INTERFACE_RATES:
            if is_number(nic.get(key)):
                yield f"net.{key}", interface, float(nic[key])


def check_points(up: bool, latency_ms: float | None, loss_pct: float | None) -> Iterator[Point]:
    yield "check.up", "", 1.0 if up else 0.0
    if latency_ms is not None:
        yield "check.latency_ms", "", float(latency_ms)
    if loss_pct is not None:
        yield "check.loss_pct", "", float(loss_pct)


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
