"""DNS check: resolve a name, optionally against a given server; latency and answers.

Its network side is netmon_probe.checks.dns, which the probes run too.
"""

from core.security import destinations
from monitor.addresses import validate_dns_name, validate_dns_server
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.settings import Setting
from netmon_probe.checks import dns


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
        return await dns.run(spec, destinations.refusal)

    def describe(self, check) -> str:
        server = f" @{check.dns_server}" if check.dns_server else ""
        return f"dns {check.dns_record_type} {check.dns_name or (check.host.address if check.host_id else '')}{server}"

    def from_csv(self, argument: str, check) -> None:
        check.dns_name, _, check.dns_server = argument.partition("@")


KIND = Dns()
