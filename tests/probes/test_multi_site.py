"""A check run from three sites: one site that cannot reach the target leaves it UP, two make it DOWN.

Each probe runs in a network namespace of its own, reaching the centre's Redis through a
veth pair and a forwarder, and the target through a veth pair of its own into the
target's namespace, where the target listens on 198.19.41.1. Cutting a site's link is
setting the target side of its veth pair down.
"""

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from monitor.models import Check, Host, Site, Status
from probes.models import SiteCheckState
from tests import processes
from tests.probes.conftest import make_probe, probe_process
from tests.probes.test_probe_pipeline import until
from tests.stats.test_agent_install import can_make_veth_namespaces, forwarder, ip, namespace_with_veth

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not can_make_veth_namespaces(), reason="needs root and `ip netns` to make a veth namespace"),
]

TARGET_IP = "198.19.41.1"
TARGET_PORT = 8023
LISTEN = (
    f"import socket; s = socket.socket(); s.bind(('{TARGET_IP}', {TARGET_PORT})); s.listen(64); "
    "print('listening', flush=True)\nwhile True: s.accept()[0].close()"
)


@contextmanager
def target_namespace() -> Iterator[str]:
    name = f"nmt-{uuid.uuid4().hex[:6]}"
    ip("netns", "add", name)
    try:
        ip("-n", name, "link", "set", "lo", "up")
        ip("-n", name, "addr", "add", f"{TARGET_IP}/32", "dev", "lo")
        yield name
    finally:
        ip("netns", "del", name)


def link_to_target(site_namespace: str, target: str, number: int) -> str:
    """A veth pair from a site's namespace into the target's; returns the target side's name."""
    tag = uuid.uuid4().hex[:5]
    near, far = f"nms{tag}", f"nmx{tag}"
    ip("link", "add", near, "netns", site_namespace, "type", "veth", "peer", "name", far, "netns", target)
    ip("-n", site_namespace, "addr", "add", f"198.18.{number}.2/30", "dev", near)
    ip("-n", target, "addr", "add", f"198.18.{number}.1/30", "dev", far)
    ip("-n", site_namespace, "link", "set", near, "up")
    ip("-n", target, "link", "set", far, "up")
    ip("-n", site_namespace, "route", "add", f"{TARGET_IP}/32", "via", f"198.18.{number}.1")
    return far


@database_sync_to_async
def three_site_check() -> tuple[Check, list]:
    sites = [Site.objects.create(name=f"office-{n}") for n in (1, 2, 3)]
    host = Host.objects.create(name="shared-service", address=TARGET_IP)
    check = Check.objects.create(host=host, kind="tcp", port=TARGET_PORT, interval_s=5, timeout_s=1)
    check.sites.set(sites)
    return check, [make_probe(site) for site in sites]


def site_states(check: Check) -> dict[str, str]:
    return dict(SiteCheckState.objects.filter(host_check=check).values_list("site__name", "status"))


def check_status(check: Check) -> str:
    return Check.objects.get(pk=check.pk).status


async def test_a_check_from_three_sites_is_down_only_when_two_cannot_reach_it(transactional_db, tmp_path):
    check, probes = await three_site_check()
    redis_port = urlsplit(settings.REDIS_URL).port or 6379
    with ExitStack() as stack:
        target = stack.enter_context(target_namespace())
        stack.enter_context(
            processes.running(["python3", "-c", LISTEN], processes.logged("listening"), namespace=target)
        )
        stack.enter_context(processes.probes_service())  # first: the probes wait for their assignments
        cuts = []
        for number, (probe, key) in enumerate(probes, start=1):
            namespace, _, host_ip, _ = stack.enter_context(namespace_with_veth())
            port = stack.enter_context(forwarder(host_ip, redis_port))
            cuts.append(link_to_target(namespace, target, number))
            stack.enter_context(probe_process(probe, key, tmp_path, namespace, f"redis://{host_ip}:{port}/0"))

        def all_up():
            return list(site_states(check).values()) == [Status.UP] * 3 and check_status(check) == Status.UP

        await until(all_up, "UP from every site")

        ip("-n", target, "link", "set", cuts[0], "down")  # office-1 can no longer reach the service
        await until(lambda: site_states(check)["office-1"] == Status.DOWN, "office-1 finding it DOWN")
        one_cut = await database_sync_to_async(check_status)(check)
        one_cut_error = await database_sync_to_async(lambda: Check.objects.get(pk=check.pk).last_error)()

        ip("-n", target, "link", "set", cuts[1], "down")  # and office-2 neither
        await until(lambda: check_status(check) == Status.DOWN, "DOWN once two of three agree")
        states = await database_sync_to_async(site_states)(check)

    assert one_cut == Status.UP
    assert one_cut_error.startswith("office-1: ")
    assert states == {"office-1": Status.DOWN, "office-2": Status.DOWN, "office-3": Status.UP}
