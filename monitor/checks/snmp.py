"""SNMP check: a network device's state and every port's traffic (IF-MIB), v2c or v3 authPriv.

UP when the device answers; the poll's ports ride on the outcome to be recorded
(monitor.devices.ports), not in the result's details, which stay small. The run is
netmon_probe.checks.snmp, which the probes run too; the protocol side, discovery and
polling live in netmon_probe.snmp.
"""

from core.security import destinations
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.settings import Setting
from monitor.checks.tcp import PORT
from netmon_probe.checks import snmp as network
from netmon_probe.checks.snmp import DEFAULT_PORT
from netmon_probe.snmp.client import AUTH_PROTOCOLS, PRIV_PROTOCOLS

MIN_INTERVAL_S = 10


class Snmp(CheckKind):
    name = "snmp"
    label = "SNMP device"
    # The secrets are encrypted at rest and never shown back (Setting.secret).
    settings = (
        PORT,
        Setting("snmp_version", str, "2c", label="SNMP version", required=True,
                choices=(("2c", "v2c (community)"), ("3", "v3 (user, authPriv)"))),
        Setting("community", str, "", secret=True, help_text="SNMPv2c. Write-only: never shown back."),
        Setting("snmp_user", str, "", label="SNMPv3 user", max_length=100),
        Setting("auth_protocol", str, "SHA-256", required=True, choices=(("SHA", "SHA"), ("SHA-256", "SHA-256"))),
        Setting("auth_password", str, "", secret=True, help_text="Write-only: never shown back."),
        Setting("priv_protocol", str, "AES", label="privacy protocol", required=True,
                choices=(("AES", "AES-128"), ("AES-256", "AES-256"))),
        Setting("priv_password", str, "", label="privacy password", secret=True,
                help_text="Write-only: never shown back."),
        Setting("snmp_retries", int, 1, label="retries", required=True, minimum=0, maximum=5,
                range_message="Retry an SNMP request at most 5 times."),
    )  # fmt: skip
    # The port is the TCP fieldset's, shared (empty: 161).
    admin_rows = (
        ("snmp_version", "snmp_retries"),
        "community",
        ("snmp_user", "auth_protocol", "auth_password"),
        ("priv_protocol", "priv_password"),
    )
    csv_syntax = "snmp:<community>[@<port>]"
    polls_ports = True

    async def run(self, spec: CheckSpec) -> Outcome:
        return await network.run(spec, destinations.refusal)

    def readings(self, result, previous_details) -> dict[str, float]:
        readings = {"device_unreachable": 0.0 if result.passed else 1.0}
        if "sessions_down" in result.details:
            readings["sessions_down"] = float(result.details["sessions_down"])
        return readings

    def describe(self, check) -> str:
        who = f"v3 {check.snmp_user}" if check.snmp_version == "3" else "v2c"
        return f"snmp {who} :{check.port or DEFAULT_PORT}"

    def validate(self, check) -> dict[str, str]:
        errors = {}
        if check.interval_s and check.interval_s < MIN_INTERVAL_S:
            errors["interval_s"] = f"SNMP devices are polled at most every {MIN_INTERVAL_S} seconds."
        if check.snmp_version == "2c":
            if not check.community:
                errors["community"] = "An SNMPv2c check needs a community."
            return errors
        if not check.snmp_user:
            errors["snmp_user"] = "An SNMPv3 check needs a user name."
        if check.auth_protocol not in AUTH_PROTOCOLS:
            errors["auth_protocol"] = f"Choose one of {', '.join(AUTH_PROTOCOLS)}."
        if check.priv_protocol not in PRIV_PROTOCOLS:
            errors["priv_protocol"] = f"Choose one of {', '.join(PRIV_PROTOCOLS)}."
        for name in ("auth_password", "priv_password"):  # RFC 3414: keys come from 8 or more characters
            if len(getattr(check, name) or "") < 8:
                errors[name] = "SNMPv3 passwords have at least 8 characters."
        return errors

    def from_csv(self, argument: str, check) -> None:
        community, _, port = argument.rpartition("@") if "@" in argument else (argument, "", "")
        if not community or (port and not port.isdigit()):
            raise ValueError(f"write an SNMP check as {self.csv_syntax}")
        check.snmp_version = "2c"
        check.community = community
        check.port = int(port) if port else None


KIND = Snmp()
