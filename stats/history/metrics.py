"""Which values of a stats frame or a check result are kept as history, and under what names.

The names, units and frame positions come from the metric catalogue (core.contracts.metrics).
"""

from collections.abc import Iterator, Mapping

from core.contracts.metrics import FRAME_METRICS, PORT_FIELDS, Metric, is_number

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


def _groups(metrics: list[Metric]) -> list[tuple[tuple[str, ...], bool, list[tuple[str, str]]]]:
    """The kept metrics by where they sit: (path to their parent, whether its last key is `*`,
    [(key, metric name)]). A frame is then walked once per group, not once per metric."""
    groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for metric in metrics:
        *parent, key = metric.path
        if "*" in parent[:-1]:
            raise ValueError(f"{metric.name}: a `*` is read here only as the last key before the value")
        groups.setdefault(tuple(parent), []).append((key, metric.name))
    return [(parent, parent[-1:] == ("*",), keys) for parent, keys in groups.items()]


GROUPS = _groups(KEPT)


def frame_points(frame: dict) -> list[Point]:
    """The kept values of one stats frame. Interfaces that are down are left out.

    What frame_values gives for each kept metric with skip_down, but read a group of
    metrics at a time: the ingest reads every value of every frame.
    """
    points: list[Point] = []
    for parent, starred, keys in GROUPS:
        node = frame
        for key in parent[:-1] if starred else parent:
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            continue
        if not starred:
            _read(node, keys, "", points)
            continue
        for label, child in node.items():
            if isinstance(child, Mapping) and child.get("up", True) is not False:
                _read(child, keys, label, points)
    return points


def _read(node: Mapping, keys: list[tuple[str, str]], label: str, points: list[Point]) -> None:
    for key, name in keys:
        value = node.get(key)
        if is_number(value) or isinstance(value, bool):
            points.append((name, label, float(value)))


def check_points(up: bool, latency_ms: float | None, loss_pct: float | None) -> Iterator[Point]:
    yield "check.up", "", 1.0 if up else 0.0
    if latency_ms is not None:
        yield "check.latency_ms", "", float(latency_ms)
    if loss_pct is not None:
        yield "check.loss_pct", "", float(loss_pct)
