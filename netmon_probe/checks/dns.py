"""DNS: resolve a name, optionally against a given server; latency and answers.

Framework-free, run by the probes and by the centre's checks workers alike, each under
its own destination policy (`refusal`, for the server asked).
"""

import functools
import ipaddress
import time

import dns.asyncresolver
import dns.resolver

from netmon_probe.checks.core import CheckFailed, CheckSpec, Outcome, Refusal, elapsed_ms

MAX_ANSWERS = 20


def parse_server(value: str) -> tuple[str, int]:
    """`"127.0.0.1"`, `"127.0.0.1:5353"`, `"::1"` or `"[::1]:5353"` as (ip, port)."""
    text = value.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{value!r}: expected [address]:port")
            port = _port(rest[1:], value)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text, value)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{value!r}: the DNS server must be an IP address, optionally with :port") from None
    return host, port


def _port(text: str, value: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{value!r}: the port must be a number from 1 to 65535")
    return int(text)


@functools.cache
def system_resolver() -> dns.asyncresolver.Resolver:
    return dns.asyncresolver.Resolver()  # reads /etc/resolv.conf once per process


def resolver_for(server: str, refusal: Refusal) -> dns.asyncresolver.Resolver:
    if not server:
        return system_resolver()
    try:
        ip, port = parse_server(server)
    except ValueError as error:  # published by a centre that validated it: a bad one costs this run only
        raise CheckFailed(str(error)) from None
    if problem := refusal(ip):
        raise CheckFailed(problem)
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [ip]
    resolver.port = port
    return resolver


async def run(spec: CheckSpec, refusal: Refusal) -> Outcome:
    name = spec.options["dns_name"] or spec.address
    record_type = spec.options["dns_record_type"]
    resolver = resolver_for(spec.options["dns_server"], refusal)
    started = time.perf_counter()
    try:
        # The check's own timeout (run_guarded) ends a slow lookup; the resolver's
        # lifetime only has to be longer, so that every timeout reads the same.
        answer = await resolver.resolve(name, record_type, lifetime=spec.timeout_s + 1, search=False)
    except dns.resolver.NXDOMAIN:
        raise CheckFailed(f"NXDOMAIN: {name} does not exist") from None
    except dns.resolver.NoAnswer:
        raise CheckFailed(f"no {record_type} record for {name}") from None
    except dns.resolver.NoNameservers as exc:
        raise CheckFailed(f"no server answered for {name}: {exc.msg if hasattr(exc, 'msg') else exc}"[:500]) from None
    latency = elapsed_ms(started)
    answers = sorted(record.to_text() for record in answer)[:MAX_ANSWERS]
    return Outcome(latency_ms=latency, details={"name": name, "type": record_type, "answers": answers})
