"""The host, result and port objects in the dashboard's frames have the fields the protocol catalogue lists."""

from datetime import UTC, datetime

from core.contracts.protocol import FRAMES
from core.contracts.protocol.spec import SERVER_TO_CLIENT
from dashboard.frames import busiest_port, host_summary, port_fields, result_fields
from monitor.devices.models import Interface
from monitor.models import CheckResult, Host

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def members(kind: str, *path: str) -> set[str]:
    fields = FRAMES[(SERVER_TO_CLIENT, kind)].fields
    for name in path:
        fields = next(f for f in fields if f.name == name).members
    return {f.name for f in fields}


def interface() -> Interface:
    return Interface(index=1, name="eth0", speed_bps=10**9, in_bps=5e5, out_bps=2e5, utilisation_pct=0.4, polled_at=NOW)


def test_a_host_summary_has_the_fields_of_the_hosts_frame():
    busiest = busiest_port([interface()])
    summary = host_summary(Host(id=7, name="edge", address="127.0.0.1"), ["core"], busiest)
    assert set(summary) == members("hosts", "hosts")
    assert set(busiest) == members("hosts", "hosts", "busiest_port")


def test_a_result_has_the_fields_of_the_check_results_frame():
    result = CheckResult(host_check_id=3, started_at=NOW, status="up", latency_ms=1.5)
    assert set(result_fields(result)) == members("check_results", "results")


def test_a_port_has_the_fields_of_the_ports_frame():
    assert set(port_fields(interface())) == members("ports", "ports")
