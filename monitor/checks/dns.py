"""DNS check: resolve a name, optionally against a given server; latency and answers."""

import functools
import time

import dns.asyncresolver
import dns.resolver

from monitor.addresses import parse_server
from monitor.checks.base import CheckFailed, CheckSpec, Outcome, elapsed_ms

MAX_ANSWERS = 20


@functools.cache
def system_resolver() -> dns.asyncresolver.Resolver:
    return dns.asyncresolver.Resolver()  # reads /etc/resolv.conf once per process


def resolver_for(server: str) -> dns.asyncresolver.Resolver:
    if not server:
        return system_resolver()
    ip, port = parse_server(server)
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [ip]
    resolver.port = port
    return resolver


async def run(spec: CheckSpec) -> Outcome:
    name = spec.dns_name or spec.address
    resolver = resolver_for(spec.dns_server)
    started = time.perf_counter()
    try:
        # The check's own timeout (run_guarded) ends a slow lookup; the resolver's
        # lifetime only has to be longer, so that every timeout reads the same.
        answer = await resolver.resolve(name, spec.dns_record_type, lifetime=spec.timeout_s + 1, search=False)
    except dns.resolver.NXDOMAIN:
        raise CheckFailed(f"NXDOMAIN: {name} does not exist") from None
    except dns.resolver.NoAnswer:
        raise CheckFailed(f"no {spec.dns_record_type} record for {name}") from None
    except dns.resolver.NoNameservers as exc:
        raise CheckFailed(f"no server answered for {name}: {exc.msg if hasattr(exc, 'msg') else exc}"[:500]) from None
    latency = elapsed_ms(started)
    answers = sorted(record.to_text() for record in answer)[:MAX_ANSWERS]
    return Outcome(latency_ms=latency, details={"name": name, "type": spec.dns_record_type, "answers": answers})
