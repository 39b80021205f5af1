"""SNMP devices against real agents on loopback: snmpd with this machine's moving
counters (v2c and v3 authPriv) and snmpsim serving a recorded Cisco switch."""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.checks import execute
from monitor.devices.models import Device, Interface, Neighbour
from monitor.devices.ports import port_rates
from monitor.models import Check, Host, Status
from monitor.results import Finished, save_results
from netmon_probe.snmp import discovery
from tests.monitor.snmp_agents import (
    AUTH_PASSWORD,
    COMMUNITY,
    PRIV_PASSWORD,
    V3_USER,
    silent_udp_port,
    snmpd,
    snmpsim,
)

pytestmark = pytest.mark.django_db(transaction=True)  # recording closes old connections, as in a worker


def snmp_check(port: int, **options) -> Check:
    host = Host.objects.create(name=f"switch-{port}-{time.monotonic_ns()}", address="127.0.0.1")
    fields = {"community": COMMUNITY, **options}
    check = Check(host=host, kind="snmp", port=port, interval_s=10, timeout_s=2, snmp_retries=0, **fields)
    check.full_clean()
    check.save()
    discovery.forget(check.pk)
    return check


def v3(port: int, **changes) -> Check:
    options = {"snmp_version": "3", "community": "", "snmp_user": V3_USER, "auth_protocol": "SHA-256",
               "auth_password": AUTH_PASSWORD, "priv_protocol": "AES", "priv_password": PRIV_PASSWORD}  # fmt: skip
    return snmp_check(port, **{**options, **changes})


def poll(check: Check):
    """Run the check as a checks worker does and record the result; returns (result, outcome)."""
    check = Check.objects.select_related("host").get(pk=check.pk)
    started = time.time()
    outcome = asyncio.run(execute(check.spec(started)))
    recorded = save_results([Finished(check.spec(started), outcome, started)])
    return recorded.results[0], outcome


def lo_bytes() -> tuple[int, int]:
    """(received, sent) bytes of the loopback interface, from /proc/net/dev."""
    for line in Path("/proc/net/dev").read_text().splitlines():
        name, _, fields = line.partition(":")
        if name.strip() == "lo":
            values = fields.split()
            return int(values[0]), int(values[8])
    raise AssertionError("no lo in /proc/net/dev")


class SteadyTraffic:
    """Datagrams over loopback at a fixed pace, so that two ways of measuring its rate can agree."""

    def __init__(self, bytes_per_s: int, datagram: int = 8192) -> None:
        self._sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sink.bind(("127.0.0.1", 0))
        self._sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self._every = datagram / bytes_per_s
        self._payload = b"x" * datagram
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send), threading.Thread(target=self._drain)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._sink.close()
        for thread in self._threads:
            thread.join(5)

    def _send(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
            due = time.monotonic()
            for _ in range(200_000):  # bounded: at most 200,000 datagrams
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return
                out.sendto(self._payload, self._sink.getsockname())
                due += self._every

    def _drain(self):
        self._sink.settimeout(0.2)
        while not self._stop.is_set():
            try:
                self._sink.recv(65536)
            except OSError:
                continue


@dataclass
class Bracketed:
    """A poll with the loopback's byte counters (received, sent) and the clock just before and after it."""

    result: object
    outcome: object
    bytes_before: tuple[int, int]
    bytes_after: tuple[int, int]
    starts: float
    ends: float


def bracketed_poll(check: Check) -> Bracketed:
    bytes_before, starts = lo_bytes(), time.monotonic()
    result, outcome = poll(check)
    return Bracketed(result, outcome, bytes_before, lo_bytes(), starts, time.monotonic())


@pytest.mark.parametrize("version", ["2c", "3"])
def test_port_rates_match_the_kernel_counters(version):
    """snmpd reads the kernel's counters and its clock (sysUpTime) at some moment inside each poll,
    and the rate is the counters' difference over the clock's: it lies between the kernel's bytes
    from the end of the first poll to the start of the second over the longest time the clock can
    have moved, and those from the start of the first to the end of the second over the shortest,
    however long a poll takes on a busy machine."""
    with snmpd() as port, SteadyTraffic(bytes_per_s=4_000_000):
        check = snmp_check(port) if version == "2c" else v3(port)
        first = bracketed_poll(check)
        assert first.result.status == Status.UP, first.result.error
        assert first.outcome.device.system.vendor == "Net-SNMP"
        time.sleep(8)  # the interval between two polls; snmpd re-reads the kernel's counters after 3 s
        second = bracketed_poll(check)
    assert second.result.status == Status.UP, second.result.error
    lo = Interface.objects.get(host=check.host, name="lo")
    longest, shortest = second.ends - first.starts, second.starts - first.ends
    for direction, measured in ((0, lo.in_bps), (1, lo.out_bps)):
        counted_within = second.bytes_before[direction] - first.bytes_after[direction]
        counted_around = second.bytes_after[direction] - first.bytes_before[direction]
        assert counted_around * 8 / longest > 25_000_000  # the steady traffic is there
        least, most = counted_within * 8 / longest, counted_around * 8 / shortest
        assert least * 0.99 <= measured <= most * 1.01, (direction, least, measured, most)  # 0.01 s ticks
    assert lo.in_pps > 0
    assert lo.errors_per_s == 0
    assert lo.oper_status == "up"
    assert lo.admin_up
    assert lo.utilisation_pct is None  # a loopback has no line speed to share out (net-snmp says 10 Mbit/s)


def test_the_first_poll_has_states_but_no_rates():
    with snmpd() as port:
        check = snmp_check(port)
        result, _ = poll(check)
    lo = Interface.objects.get(host=check.host, name="lo")
    assert result.status == Status.UP
    assert lo.oper_status == "up"
    assert lo.in_bps is None
    assert lo.counters["in_octets"] > 0
    assert result.details["ports"] == Interface.objects.filter(host=check.host).count()


def test_a_recorded_cisco_switch_is_discovered():
    with snmpsim() as (port, community):
        check = snmp_check(port, community=community)
        result, _ = poll(check)
    assert result.status == Status.UP, result.error
    device = Device.objects.get(host=check.host)
    assert (device.sys_name, device.vendor, device.model) == ("Profiler3750", "Cisco", "WS-C3750-48PS-S")
    assert device.sys_object_id == "1.3.6.1.4.1.9.1.516"
    assert device.sys_descr.startswith("Cisco IOS Software, C3750")
    ports = {i.name: i for i in Interface.objects.filter(host=check.host)}
    assert len(ports) == result.details["ports"] == 59
    assert {"Fa3/0/1", "Fa3/0/48", "Gi3/0/4", "Vl1", "StackPort3"} <= set(ports)
    assert ports["Gi3/0/1"].if_type == 6  # ethernetCsmacd
    assert {p.speed_bps for p in ports.values() if p.name.startswith("Fa")} <= {10_000_000, 100_000_000}
    assert "connected to cube 12b ruckus ap" in {p.alias for p in ports.values()}
    assert sum(1 for p in ports.values() if p.oper_status == "up") == result.details["ports_up"]
    neighbour = Neighbour.objects.get(host=check.host)  # from its CDP cache
    assert (neighbour.protocol, neighbour.remote_name) == ("cdp", "C2960X.uac.local")
    assert (neighbour.local_port, neighbour.remote_port) == ("Fa3/0/48", "GigabitEthernet1/0/8")
    assert neighbour.remote_platform == "cisco WS-C2960X-24PD-L"


@pytest.mark.parametrize(
    ("make_check", "reason"),
    [
        (lambda port: snmp_check(port, community="not-the-community"), "no SNMP answer: wrong community"),
        (lambda port: v3(port, auth_password="wrong-auth-pass"), "SNMPv3 authentication failed"),
        (lambda port: v3(port, snmp_user="nobody-here"), "SNMPv3 user unknown"),
    ],
    ids=["wrong community", "wrong v3 password", "unknown v3 user"],
)
def test_wrong_credentials_are_down_with_the_reason(make_check, reason):
    with snmpd() as port:
        result, outcome = poll(make_check(port))
    assert result.status == Status.DOWN
    assert reason in result.error
    assert outcome.device is None


def test_a_silent_port_is_down_within_the_timeout():
    with silent_udp_port() as port:
        check = snmp_check(port)
        began = time.monotonic()
        result, _ = poll(check)
    assert result.status == Status.DOWN
    assert "no SNMP answer" in result.error
    assert time.monotonic() - began < check.timeout_s + 1


def test_a_restarted_device_is_rediscovered_and_gives_no_false_rates(tmp_path):
    with snmpd(state_dir=str(tmp_path)) as port:
        check = snmp_check(port)
        poll(check)
        time.sleep(1)  # sysUpTime must pass what the restarted agent will report
        poll(check)
    before = Device.objects.get(host=check.host)
    with snmpd(port=port, state_dir=str(tmp_path)):  # the same agent, really stopped and started again
        result, outcome = poll(check)
        assert result.status == Status.UP
        assert outcome.device.restarted
        assert outcome.device.rediscovered == "the device restarted"
        assert result.details["restarted"] is True
        device = Device.objects.get(host=check.host)
        assert device.restarted_at is not None
        assert device.uptime_ticks < before.uptime_ticks
        lo = Interface.objects.get(host=check.host, name="lo")
        assert lo.in_bps is None  # the counters began again: no rate from across the restart
        time.sleep(1)
        poll(check)
    lo.refresh_from_db()
    assert lo.in_bps is not None
    assert lo.in_bps >= 0


def test_lldp_neighbours_are_read_with_their_local_ports():
    with snmpsim("lldp-switch") as (port, community):
        check = snmp_check(port, community=community)
        result, _ = poll(check)
    assert result.status == Status.UP, result.error
    device = Device.objects.get(host=check.host)
    assert (device.sys_name, device.vendor, device.model) == ("access-sw-2", "Juniper", "EX2300-24T")
    neighbours = {(n.protocol, n.local_port, n.remote_name, n.remote_port) for n in Neighbour.objects.all()}
    assert neighbours == {
        ("lldp", "ge-0/0/1 uplink", "core-sw.example", "Ethernet49"),  # named by lldpLocPortDesc
        ("lldp", "ge-0/0/2", "00:1b:21:3a:4f:50", "eth0"),  # no local name: the ifIndex's; no sysName: the chassis MAC
    }


def test_counter_wraps_at_the_counters_own_width():
    port = discovery.Port(1, "Gi0/1", "", 6, 1_000_000_000)

    def reading(bits: int, **counters) -> discovery.PortReading:
        return discovery.PortReading(port, True, "up", counters, bits)

    # A 32-bit octet counter that wrapped: 2**32 - 1,000 -> 9,000 is 10,000 bytes, not a reset.
    rates = port_rates(
        {"in_octets": 2**32 - 1_000, "in_errors": 2**32 - 1}, reading(32, in_octets=9_000, in_errors=4), 10
    )
    assert rates["in_bps"] == 10_000 * 8 / 10
    assert rates["errors_per_s"] is None  # out_errors missing: no made-up sum
    # A 64-bit counter that goes back by much is a reset, counted from zero, never 2**64 - x.
    rates = port_rates({"in_octets": 5_000_000}, reading(64, in_octets=1_000), 10)
    assert rates["in_bps"] == 1_000 * 8 / 10
    # Error counters are 32-bit even beside 64-bit octet counters.
    both = {"in_errors": 2**32 - 2, "out_errors": 0}
    assert port_rates(both, reading(64, in_errors=3, out_errors=0), 1)["errors_per_s"] == 5
    # Utilisation is the busier direction's share of the speed.
    rates = port_rates({"in_octets": 0, "out_octets": 0}, reading(64, in_octets=125_000_000, out_octets=0), 1)
    assert rates["utilisation_pct"] == 100.0
    # A little over the stated speed (counters read a moment apart) is 100 %; far over it, unknown.
    assert port_rates({"in_octets": 0}, reading(64, in_octets=131_250_000), 1)["utilisation_pct"] == 100.0
    assert port_rates({"in_octets": 0}, reading(64, in_octets=1_764_500_000), 1)["utilisation_pct"] is None
    loopback = discovery.Port(1, "lo", "", 24, 10_000_000)
    rates = port_rates({"in_octets": 0}, discovery.PortReading(loopback, True, "up", {"in_octets": 1_000}, 64), 1)
    assert rates["utilisation_pct"] is None
