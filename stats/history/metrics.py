"""Which values of a stats frame or a check result are kept as history, and under what names.

The names, units and frame positions come from the metric catalogue (core.contracts.metrics).
"""

from collections.abc import Iterator

from core.contracts.metrics import FRAME_METRICS, PORT_FIELDS, frame_values

KEPT = [metric for metric in FRAME_METRICS if metric.history]

Point = tuple[str, str, float]  # metric, label, value


def agent_source(name: str) -> str:
    return f"agent:{name}"


def check_source(check_id: int) -> str:
    return f"check:{check_id}"


def device_source(host_id: int) -> str:
    """The ports of an SNMP device (a host with an SNMP check)."""
    return f"device:{host_id}"


def port_points(interface) -> Iterator[Point]:
    """The kept values of one polled port (monitor.devices.models.Interface), labelled by its name."""
    yield "port.up", interface.name, 1.0 if interface.oper_status == "up" else 0.0
    for metric, field in PORT_FIELDS.items():
        value = getattr(interface, field)
        if value is not None:
            yield metric, interface.name, float(value)


def frame_points(frame: dict) -> Iterator[Point]:
    """The kept values of one stats frame. Interfaces that are down are left out."""
    for metric in KEPT:
        for label, value in frame_values(frame, metric, skip_down=True):
            if value is not None:
                yield metric.name, label, float(value)


def check_points(up: bool, latency_ms: float | None, loss_pct: float | None) -> Iterator[Point]:
    yield "check.up", "", 1.0 if up else 0.0
    if latency_ms is not None:
        yield "check.latency_ms", "", float(latency_ms)
    if loss_pct is not None:
        yield "check.loss_pct", "", float(loss_pct)
