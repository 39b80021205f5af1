"""A probe process polls real snmpd (v2c and v3 authPriv) and traces a path through a real router.

The ports it polls are recorded at the centre as a central poll's are: Interface rows with
rates from the second poll on, the device's facts, and the "ports" frame on the host's
page. Its path check runs in a network namespace of its own, whose only way to the target
is a router namespace forwarding between two veth pairs (198.18.0.0/15).
"""

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from monitor.devices.models import Device, Interface
from monitor.models import Check, CheckResult, Host, Site, Status
from tests import processes
from tests.conftest import socket
from tests.monitor.snmp_agents import AUTH_PASSWORD, COMMUNITY, PRIV_PASSWORD, V3_USER, snmpd
from tests.monitor.test_check_pipeline import next_frame
from tests.probes.conftest import make_probe, probe_process
from tests.probes.test_probe_pipeline import until
from tests.stats.test_agent_install import can_make_veth_namespaces, forwarder, ip, namespace_with_veth

pytestmark = pytest.mark.pipeline

ROUTER_NEAR, ROUTER_FAR, TARGET = "198.18.61.2", "198.18.62.1", "198.18.62.2"


@database_sync_to_async
def snmp_site(port: int) -> tuple[dict[str, Check], Site, tuple]:
    site = Site.objects.create(name="branch-snmp")
    v3 = {"snmp_version": "3", "snmp_user": V3_USER, "auth_protocol": "SHA-256", "auth_password": AUTH_PASSWORD,
          "priv_protocol": "AES", "priv_password": PRIV_PASSWORD}  # fmt: skip
    checks = {}
    for version, options in (("2c", {"community": COMMUNITY}), ("3", v3)):
        host = Host.objects.create(name=f"branch-switch-v{version}", address="127.0.0.1", site=site)
        check = Check(host=host, kind="snmp", port=port, interval_s=10, timeout_s=3, snmp_retries=0, **options)
        check.full_clean()
        check.save()
        site.checks.add(check)
        checks[version] = check
    return checks, site, make_probe(site)


def rated_ports(check: Check) -> list[Interface]:
    """The host's ports once a second poll gave them rates."""
    ports = list(Interface.objects.filter(host_id=check.host_id).order_by("index"))
    return ports if ports and all(p.in_bps is not None for p in ports if p.name == "lo") else []


async def test_a_probe_polls_snmpd_and_the_ports_are_recorded_at_the_centre(alice, tmp_path):
    with snmpd() as port:
        checks, site, (probe, key) = await snmp_site(port)
        communicator = await socket("/ws/stats/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "watch", "host": checks["2c"].host_id})
        with processes.probes_service(), probe_process(probe, key, tmp_path):
            frame = await next_frame(communicator, lambda f: f["type"] == "ports")
            ported = {
                v: await until(lambda c=c: rated_ports(c), f"v{v} ports with rates", 90) for v, c in checks.items()
            }
        await communicator.disconnect()

    assert frame["host"] == checks["2c"].host_id
    assert "lo" in {p["name"] for p in frame["ports"]}
    for version, check in checks.items():
        result = await database_sync_to_async(CheckResult.objects.filter(host_check=check).latest)("scheduled_at")
        device = await database_sync_to_async(Device.objects.get)(host_id=check.host_id)
        ports = ported[version]
        assert (result.status, result.site_id, result.error) == (Status.UP, site.id, ""), version
        assert result.details["ports"] == len(ports)
        assert device.vendor == "Net-SNMP"
        lo = next(p for p in ports if p.name == "lo")
        assert (lo.oper_status, lo.admin_up, lo.counter_bits) == ("up", True, 64)
        assert lo.in_bps >= 0
        assert lo.counters["in_octets"] > 0
    # The credentials reached the probe sealed: nothing it keeps or sends holds them in clear.
    kept = (tmp_path / ".local" / "state" / "netmon-probe" / f"{probe.name}.sqlite").read_bytes()  # under its HOME
    sent = await database_sync_to_async(lambda: list(CheckResult.objects.values_list("details", "error")))()
    for secret in (COMMUNITY, AUTH_PASSWORD, PRIV_PASSWORD):
        assert secret.encode() not in kept
        assert secret not in repr(sent)


@contextmanager
def routed_target(site_namespace: str) -> Iterator[None]:
    """A router namespace and a target namespace behind it, reached from `site_namespace` through the router."""
    tag = uuid.uuid4().hex[:5]
    router, target = f"nmr{tag}", f"nmt{tag}"
    ip("netns", "add", router)
    try:
        ip("netns", "add", target)
        ip("link", "add", f"nmp{tag}", "netns", site_namespace, "type", "veth", "peer", "name", "r0", "netns", router)
        ip("-n", router, "link", "add", "r1", "type", "veth", "peer", "name", "t0", "netns", target)
        for namespace, device, address in ((site_namespace, f"nmp{tag}", "198.18.61.1/30"),
                                           (router, "r0", f"{ROUTER_NEAR}/30"), (router, "r1", f"{ROUTER_FAR}/30"),
                                           (target, "t0", f"{TARGET}/30")):  # fmt: skip
            ip("-n", namespace, "addr", "add", address, "dev", device)
            ip("-n", namespace, "link", "set", device, "up")
        ip("-n", router, "link", "set", "lo", "up")
        ip("-n", target, "link", "set", "lo", "up")
        ip("-n", site_namespace, "route", "add", "198.18.62.0/30", "via", ROUTER_NEAR)
        ip("-n", target, "route", "add", "default", "via", ROUTER_FAR)
        subprocess.run(["ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1"], check=True)
        yield
    finally:
        subprocess.run(["ip", "netns", "del", target], capture_output=True)
        subprocess.run(["ip", "netns", "del", router], capture_output=True)  # the veth pairs go with them


@database_sync_to_async
def path_site() -> tuple[Check, Site, tuple]:
    site = Site.objects.create(name="branch-path")
    host = Host.objects.create(name="far-service", address=TARGET, site=site)
    check = Check.objects.create(host=host, kind="path", ping_count=3, max_hops=8, interval_s=5, timeout_s=2)
    site.checks.add(check)
    return check, site, make_probe(site)


@pytest.mark.skipif(not can_make_veth_namespaces(), reason="needs root and `ip netns` to make veth namespaces")
async def test_a_probe_traces_the_path_through_a_router(transactional_db, tmp_path):
    check, site, (probe, key) = await path_site()
    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    with ExitStack() as stack:
        namespace, _, host_ip, _ = stack.enter_context(namespace_with_veth())
        port = stack.enter_context(forwarder(host_ip, redis_port))
        stack.enter_context(routed_target(namespace))
        stack.enter_context(processes.probes_service())
        # As root: a path check needs raw ICMP.
        stack.enter_context(probe_process(probe, key, tmp_path, namespace, f"redis://{host_ip}:{port}/0"))
        result = await until(lambda: CheckResult.objects.filter(host_check=check).first(), "a path from the probe")

    assert (result.status, result.error, result.site_id) == (Status.UP, "", site.id)
    hops = result.details["hops"]
    assert [hop["address"] for hop in hops] == [ROUTER_NEAR, TARGET]
    assert result.details["reached"] is True
    assert result.latency_ms == hops[-1]["avg_ms"]
