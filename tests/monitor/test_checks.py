"""Each check kind against real targets on loopback and in network namespaces."""

import json
import socket
import textwrap

import pytest

from monitor.checks import execute, kinds, ping
from monitor.checks.base import CheckSpec, run_guarded
from tests import targets


def spec(kind: str, address: str = "127.0.0.1", timeout_s: float = 2.0, **fields) -> CheckSpec:
    """A spec as the runner gets it: the kind's settings at their defaults, unless given."""
    options = kinds()[kind].defaults()
    return CheckSpec(id=1, host_id=1, kind=kind, address=address, timeout_s=timeout_s, options={**options, **fields})


# --- TCP -------------------------------------------------------------------------------


async def test_tcp_connects_to_a_listener():
    with targets.tcp_listener() as port:
        outcome = await execute(spec("tcp", port=port))
    assert outcome.error == ""
    assert 0 < outcome.latency_ms < 100


async def test_tcp_closed_port_is_refused():
    outcome = await execute(spec("tcp", port=targets.closed_port()))
    assert outcome.error == "connection refused"
    assert outcome.latency_ms is None


async def test_tcp_black_hole_times_out_within_the_timeout():
    with targets.black_hole() as port:
        outcome = await execute(spec("tcp", port=port, timeout_s=0.5))
    assert outcome.error == "timed out after 0.5 s"


async def test_unresolvable_name_is_down_with_the_reason():
    outcome = await execute(spec("tcp", address="no-such-host.invalid", port=80))
    assert outcome.error.startswith("cannot resolve no-such-host.invalid")


# --- ping ------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
async def test_ping_loopback_over_icmp(address):
    if ping.icmp.shared_socket(socket.AF_INET6 if ":" in address else socket.AF_INET) is None:
        pytest.skip("this process may not send ICMP")
    outcome = await execute(spec("ping", address=address, ping_count=4))
    assert outcome.error == ""
    assert outcome.loss_pct == 0
    assert outcome.details["sent"] == outcome.details["received"] == 4
    assert outcome.details["method"] in ("raw", "dgram")
    assert outcome.details["rtt_min_ms"] <= outcome.latency_ms <= outcome.details["rtt_max_ms"]
    assert outcome.jitter_ms >= 0


async def test_ping_falls_back_to_tcp_when_icmp_is_not_allowed():
    # methods=() stands for a process that may open neither kind of ICMP socket.
    with targets.tcp_listener() as port:
        outcome = await run_guarded(lambda s: ping.ping(s, methods=()), spec("ping", port=port, ping_count=3))
    assert outcome.error == ""
    assert outcome.details["method"] == ping.TCP_FALLBACK
    assert outcome.loss_pct == 0


async def test_tcp_fallback_counts_a_refusal_as_an_answer():
    outcome = await run_guarded(
        lambda s: ping.ping(s, methods=()), spec("ping", port=targets.closed_port(), ping_count=3)
    )
    assert outcome.error == ""
    assert outcome.loss_pct == 0


async def test_tcp_fallback_reports_total_loss_from_a_black_hole():
    with targets.black_hole() as port:
        outcome = await run_guarded(
            lambda s: ping.ping(s, methods=()), spec("ping", port=port, ping_count=3, timeout_s=1.0)
        )
    assert outcome.loss_pct == 100
    assert outcome.error == "no reply to 3 echo requests (TCP fallback)"


def test_jitter_and_loss_from_round_trips():
    outcome = ping.summarize([10.0, None, 14.0, 12.0, None], "raw", "127.0.0.1")
    assert outcome.loss_pct == 40
    assert outcome.latency_ms == 12.0
    assert outcome.jitter_ms == 3.0  # |14-10| and |12-14|
    assert (outcome.details["rtt_min_ms"], outcome.details["rtt_max_ms"]) == (10.0, 14.0)


needs_namespaces = pytest.mark.skipif(not targets.can_make_namespaces(), reason="cannot create network namespaces")

PING_IN_NAMESPACE = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from monitor.checks import ping
from monitor.checks.base import CheckSpec, run_guarded
options = {{"ping_count": {count}, "port": None}}
spec = CheckSpec(id=1, host_id=1, kind="ping", address="127.0.0.1", timeout_s={timeout}, options=options)
outcome = asyncio.run(run_guarded(lambda s: ping.ping(s, methods={methods}), spec))
print(json.dumps(outcome.__dict__))
"""


def ping_in_namespace(setup: str, count: int, timeout: float = 3.0, methods=("raw", "dgram")) -> dict:
    code = PING_IN_NAMESPACE.format(root=str(targets.ROOT), timeout=timeout, count=count, methods=methods)
    return json.loads(targets.run_in_namespace(setup, textwrap.dedent(code)))


@needs_namespaces
def test_unprivileged_ping_socket_where_ping_group_range_allows_it():
    outcome = ping_in_namespace('sysctl -qw net.ipv4.ping_group_range="0 2147483647"', count=3, methods=("dgram",))
    assert outcome["error"] == ""
    assert outcome["details"]["method"] == "dgram"
    assert outcome["loss_pct"] == 0


@needs_namespaces
def test_ping_to_a_host_that_ignores_echo_is_down_with_total_loss():
    outcome = ping_in_namespace("sysctl -qw net.ipv4.icmp_echo_ignore_all=1", count=3, timeout=1.0)
    assert outcome["loss_pct"] == 100
    assert outcome["error"] == "no reply to 3 echo requests (ICMP)"


@needs_namespaces
@pytest.mark.skipif(not targets.netem_available(), reason="this kernel has no tc netem qdisc (sch_netem)")
def test_measured_latency_and_loss_match_netem():
    # 40 ms each way on loopback: an 80 ms round trip. Loss is random: 30% of 100
    # echoes (each crossing lo twice) leaves a wide but telling band.
    outcome = ping_in_namespace("tc qdisc add dev lo root netem delay 40ms loss 30%", count=100, timeout=30)
    assert 78 <= outcome["latency_ms"] <= 95
    assert 30 <= outcome["loss_pct"] <= 70


# --- HTTP(S) ---------------------------------------------------------------------------


async def test_http_ok_with_keyword_and_status():
    with targets.http_server() as base:
        outcome = await execute(spec("http", url=f"{base}/ok", keyword="nominal"))
    assert outcome.error == ""
    assert outcome.details["status"] == 200
    assert "cert_days_left" not in outcome.details


async def test_http_keyword_missing_is_down():
    with targets.http_server() as base:
        outcome = await execute(spec("http", url=f"{base}/ok", keyword="on fire"))
    assert outcome.error == "keyword 'on fire' not found in the response body"
    assert outcome.details["status"] == 200


async def test_http_unexpected_status_is_down():
    with targets.http_server() as base:
        outcome = await execute(spec("http", url=f"{base}/teapot"))
        expected = await execute(spec("http", url=f"{base}/teapot", expected_status=418))
    assert outcome.error == "HTTP 418"
    assert expected.error == ""


async def test_http_redirects_followed_or_not():
    with targets.http_server() as base:
        followed = await execute(spec("http", url=f"{base}/redirect"))
        not_followed = await execute(spec("http", url=f"{base}/redirect", follow_redirects=False, expected_status=200))
    assert followed.error == ""
    assert followed.details["redirects"] == 1
    assert followed.details["status"] == 200
    assert not_followed.error == "HTTP 302, expected 200"


async def test_http_slow_server_times_out():
    with targets.http_server() as base:
        outcome = await execute(spec("http", url=f"{base}/slow", timeout_s=0.5))
    assert outcome.error.startswith("timed out")


async def test_http_closed_port_is_refused():
    outcome = await execute(spec("http", url=f"http://127.0.0.1:{targets.closed_port()}/"))
    assert outcome.error == "connection refused"


async def test_https_self_signed_reports_days_left_when_not_verified(tmp_path):
    with targets.http_server(tls=targets.self_signed_tls(tmp_path, days=30)) as base:
        outcome = await execute(spec("http", url=f"{base}/ok", verify_tls=False))
    assert outcome.error == ""
    assert outcome.details["cert_days_left"] == 29  # 30 days minus the minutes since it was made


async def test_https_self_signed_is_down_when_verified(tmp_path):
    with targets.http_server(tls=targets.self_signed_tls(tmp_path, days=30)) as base:
        outcome = await execute(spec("http", url=f"{base}/ok"))
    assert outcome.error == "TLS: self-signed certificate"


# --- DNS -------------------------------------------------------------------------------


async def test_dns_answers_from_the_given_server():
    with targets.dns_server({"web.test.": ["127.0.0.7", "127.0.0.8"]}) as server:
        outcome = await execute(spec("dns", dns_name="web.test", dns_server=server))
    assert outcome.error == ""
    assert outcome.details["answers"] == ["127.0.0.7", "127.0.0.8"]
    assert outcome.latency_ms > 0


async def test_dns_nxdomain_is_down():
    with targets.dns_server({}) as server:
        outcome = await execute(spec("dns", dns_name="missing.test", dns_server=server))
    assert outcome.error == "NXDOMAIN: missing.test does not exist"


async def test_dns_silent_server_is_down_within_the_timeout():
    with targets.dns_server({}, answer=False) as server:
        outcome = await execute(spec("dns", dns_name="web.test", dns_server=server, timeout_s=0.6))
    assert outcome.error == "timed out after 0.6 s"


# --- the guard -------------------------------------------------------------------------


async def test_a_crashing_runner_becomes_a_down_result():
    async def broken(_spec):
        raise ZeroDivisionError("bug")

    outcome = await run_guarded(broken, spec("tcp", port=1))
    assert outcome.error == "internal error: ZeroDivisionError: bug"
