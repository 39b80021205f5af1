"""TCP connect check: can a connection to host:port be opened, and how fast."""

from core.security import destinations
from monitor.checks.base import CheckKind, CheckSpec, Outcome
from monitor.checks.settings import Setting
from netmon_probe.checks import tcp

# Shared with the kinds that also reach a port (ping's TCP fallback, SNMP): one API field.
PORT = Setting(
    "port", int, None, minimum=1, maximum=65_535, range_message="A port is a number from 1 to 65535.",
    help_text="TCP: the port to connect to. Ping: the port of the TCP fallback (default 80). SNMP: default 161.",
)  # fmt: skip


async def connect_time_ms(address: str, port: int) -> float:
    """Milliseconds to complete a TCP handshake with address:port; raises OSError on failure."""
    return await tcp.connect_time_ms(address, port, destinations.refusal)


class Tcp(CheckKind):
    name = "tcp"
    label = "TCP connect"
    settings = (PORT,)
    admin_rows = ("port",)
    csv_syntax = "tcp:<port>"

    async def run(self, spec: CheckSpec) -> Outcome:
        return await tcp.run(spec, destinations.refusal)

    def describe(self, check) -> str:
        return f"tcp :{check.port}"

    def validate(self, check) -> dict[str, str]:
        return {} if check.port else {"port": "A TCP check needs a port."}

    def from_csv(self, argument: str, check) -> None:
        if not argument.isdigit():
            raise ValueError("write a TCP check as tcp:<port>")
        check.port = int(argument)


KIND = Tcp()
