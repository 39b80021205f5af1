"""DNS check: resolve a name, optionally against a given server; latency and answers."""

import functools
import time

import dns.asyncresolver
import dns.resolver

from core.security import destinations
from monitor.addresses import parse_server, validate_dns_name, validate_dns_server
from monitor.checks.base import CheckFailed, CheckKind, CheckSpec, Outcome, elapsed_ms
from monitor.checks.settings import Setting

MAX_ANSWERS = 20


@functools.cache
def system_resolver() -> dns.asyncresolver.Resolver:
    return dns.asyncresolver.Resolver()  # reads /etc/resolv.conf once per process


def resolver_for(server: str) -> dns.asyncresolver.Resolver:
    if not server:
        return system_resolver()
    ip, port = parse_server(server)
    if problem := destinations.refusal(ip):
        raise CheckFailed(problem)
    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [ip]
    resolver.port = port
    return resolver


class Dns(CheckKind):
    name = "dns"
    label = "DNS lookup"
    settings = (
        Setting("dns_name", str, "", label="name to resolve", max_length=253, validators=(validate_dns_name,),
                help_text="Empty: the host's address."),
        Setting("dns_record_type", str, "A", label="record type", required=True,
                choices=tuple((t, t) for t in ("A", "AAAA", "CNAME", "MX", "NS", "TXT"))),
        Setting("dns_server", str, "", label="DNS server", max_length=60, validators=(validate_dns_server,),
                help_text="IP[:port]; empty: the system resolver."),
    )  # fmt: skip
    admin_rows = (("dns_name", "dns_record_type", "dns_server"),)
    csv_syntax = "dns[:<name>][@<server>]"

    async def run(self, spec: CheckSpec) -> Outcome:
        name = spec.options["dns_name"] or spec.address
        record_type = spec.options["dns_record_type"]
        resolver = resolver_for(spec.options["dns_server"])
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
            raise CheckFailed(
                f"no server answered for {name}: {exc.msg if hasattr(exc, 'msg') else exc}"[:500]
            ) from None
        latency = elapsed_ms(started)
        answers = sorted(record.to_text() for record in answer)[:MAX_ANSWERS]
        return Outcome(latency_ms=latency, details={"name": name, "type": record_type, "answers": answers})

    def describe(self, check) -> str:
        server = f" @{check.dns_server}" if check.dns_server else ""
        return f"dns {check.dns_record_type} {check.dns_name or (check.host.address if check.host_id else '')}{server}"

    def from_csv(self, argument: str, check) -> None:
        check.dns_name, _, check.dns_server = argument.partition("@")


KIND = Dns()
