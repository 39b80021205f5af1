"""Path checks (MTR) through real routers: network namespaces that forward between veth
pairs, on addresses of the benchmarking range (198.18.0.0/15) that exist only inside them."""

import json
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from alerts.readings import host_readings_of
from monitor.checks.path import path_readings
from monitor.models import Check, CheckResult, Host
from monitor.results import Recorded
from netmon_probe.checks.path import summarize
from tests import targets

needs_root_namespaces = pytest.mark.skipif(
    not targets.can_make_namespaces() or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode,
    reason="needs root to make network namespaces",
)

ROUTER, TARGET = "198.18.1.2", "198.18.2.2"
# The test's own namespace (C) -- R (forwards) -- T, the target.
TOPOLOGY = """
ip netns add {r} && ip netns add {t}
ip link add c0 type veth peer name r0 netns {r}
ip addr add 198.18.1.1/30 dev c0 && ip link set c0 up && ip route add 198.18.2.0/30 via 198.18.1.2
ip -n {r} link set lo up && ip -n {r} addr add 198.18.1.2/30 dev r0 && ip -n {r} link set r0 up
ip -n {r} link add r1 type veth peer name t0 netns {t}
ip -n {r} addr add 198.18.2.1/30 dev r1 && ip -n {r} link set r1 up
ip -n {t} link set lo up && ip -n {t} addr add 198.18.2.2/30 dev t0 && ip -n {t} link set t0 up
ip -n {t} route add default via 198.18.2.1
ip netns exec {r} sysctl -qw net.ipv4.ip_forward=1
"""
# The router's own packets (its "time exceeded": sent from lo, in policy routing) go nowhere;
# what it forwards still passes.
SILENT_ROUTER = "ip -n {r} rule add iif lo lookup 100 priority 100 && ip -n {r} route add blackhole default table 100"
SILENT_TARGET = "ip netns exec {t} sysctl -qw net.ipv4.icmp_echo_ignore_all=1"

PATH_IN_NAMESPACE = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
import django
django.setup()
from monitor.checks import execute
from monitor.checks.base import CheckSpec
spec = CheckSpec(id=1, host_id=1, kind="path", address={target!r}, timeout_s=2.0,
                 options={{"ping_count": 3, "max_hops": 8}})
outcome = asyncio.run(execute(spec))
print(json.dumps({{"error": outcome.error, "latency_ms": outcome.latency_ms, "loss_pct": outcome.loss_pct,
                  "details": outcome.details}}))
"""


def trace(*extra: str) -> dict:
    """Run a path check from a fresh namespace through the topology; the namespaces go afterwards."""
    tag = uuid.uuid4().hex[:6]
    names = {"r": f"nmr{tag}", "t": f"nmt{tag}"}
    setup = " && ".join(line for line in TOPOLOGY.format(**names).strip().splitlines())
    for step in extra:
        setup += " && " + step.format(**names)
    script = targets.ROOT / ".run" / f"path-{tag}.py"
    script.parent.mkdir(exist_ok=True)
    script.write_text(textwrap.dedent(PATH_IN_NAMESPACE.format(root=str(targets.ROOT), target=TARGET)))
    cleanup = f"ip netns del {names['r']}; ip netns del {names['t']}"
    command = f"ip link set lo up && {setup} && {sys.executable} {script}; rc=$?; {cleanup}; exit $rc"
    try:
        done = subprocess.run(["unshare", "--net", "sh", "-c", command], capture_output=True, text=True, timeout=60,
                              cwd=targets.ROOT)  # fmt: skip
    finally:
        script.unlink(missing_ok=True)
        subprocess.run(["sh", "-c", cleanup], capture_output=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_root_namespaces
def test_every_hop_to_the_target_with_its_loss_and_latency():
    outcome = trace()
    assert outcome["error"] == ""
    hops = outcome["details"]["hops"]
    assert [hop["address"] for hop in hops] == [ROUTER, TARGET]
    assert [hop["loss_pct"] for hop in hops] == [0, 0]
    assert all(hop["best_ms"] <= hop["avg_ms"] <= hop["worst_ms"] for hop in hops)
    assert outcome["latency_ms"] == hops[-1]["avg_ms"]
    assert outcome["details"]["reached"] is True


@needs_root_namespaces
def test_a_router_that_never_answers_is_a_hop_with_total_loss():
    outcome = trace(SILENT_ROUTER)
    assert outcome["error"] == ""  # the target still answers through it
    hops = outcome["details"]["hops"]
    assert [(hop["address"], hop["loss_pct"]) for hop in hops] == [("*", 100), (TARGET, 0)]
    assert path_readings(hops, None)["path_hop_loss_pct"] == 100


@needs_root_namespaces
def test_a_target_that_never_answers_is_down_and_shows_how_far_the_path_goes():
    outcome = trace(SILENT_TARGET)
    assert outcome["error"] == f"{TARGET} not reached within 8 hops"
    assert outcome["loss_pct"] == 100
    assert [hop["address"] for hop in outcome["details"]["hops"]] == [ROUTER, "*"]


def test_hops_from_rounds_of_probes():
    rounds = [[(1.0, ROUTER, False), (2.0, TARGET, True), (2.5, TARGET, True)],
              [(3.0, ROUTER, False), (None, None, False), (2.0, TARGET, True)]]  # fmt: skip
    outcome = summarize(TARGET, rounds)
    assert [(h["address"], h["loss_pct"], h["avg_ms"]) for h in outcome.details["hops"]] == [
        (ROUTER, 0.0, 2.0),
        (TARGET, 50.0, 2.0),
    ]
    assert (outcome.latency_ms, outcome.loss_pct, outcome.error) == (2.0, 50.0, "")


@pytest.mark.django_db
def test_a_changed_path_and_a_lossy_hop_are_alert_readings():
    host = Host.objects.create(name="far-away", address=TARGET)
    check = Check.objects.create(host=host, kind="path")
    at = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def result(minutes: int, *hops: tuple[str, float]) -> CheckResult:
        details = {"hops": [{"hop": i, "address": a, "loss_pct": loss} for i, (a, loss) in enumerate(hops, 1)]}
        moment = at + timedelta(minutes=minutes)
        return CheckResult.objects.create(host_check=check, host=host, scheduled_at=moment, started_at=moment,
                                          status="up", details=details)  # fmt: skip

    result(0, (ROUTER, 0), (TARGET, 0))
    same = result(1, (ROUTER, 0), ("*", 100), (TARGET, 0))  # a silent hop is not a new route
    changed = result(2, ("198.18.9.1", 40), (TARGET, 0))
    readings = [host_readings_of(Recorded([r], [host], {}))[f"host:{host.pk}"][1] for r in (same, changed)]
    assert [(r["path_changed"], r["path_hop_loss_pct"]) for r in readings] == [(0.0, 100), (1.0, 40)]
