"""Real SNMP agents on loopback for the tests: Debian's snmpd (this machine's own
interfaces, v2c and v3 authPriv) and snmpsim serving a recorded walk of a real switch."""

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from pysnmp.hlapi.v3arch import asyncio as snmp
from pysnmp.proto.rfc1902 import Integer

from tests.processes import running

RECORDINGS = Path(__file__).resolve().parent.parent / "data" / "snmp"
COMMUNITY = "t3st-c0mmunity-7f1"
V3_USER, AUTH_PASSWORD, PRIV_PASSWORD = "netmon-ops", "auth-pass-5e2a", "priv-pass-91bc"
CACHE_ADMIN = "cache-admin-3d9"  # may write NET-SNMP-AGENT-MIB's cache settings, nothing else
# nsCacheTimeout of the ifTable: snmpd re-reads the kernel's counters at most every 3 s unless it is 0.
IF_TABLE_CACHE_TIMEOUT = "1.3.6.1.4.1.8072.1.5.3.1.2.1.3.6.1.2.1.2.2"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def snmpd(port: int | None = None, state_dir: str | None = None) -> Iterator[int]:
    """snmpd on 127.0.0.1:`port` answering COMMUNITY (v2c) and V3_USER (SHA-256, AES); yields the port.

    `state_dir` keeps its persistent state (the v3 engine's boots counter) across restarts.
    """
    port = port or free_udp_port()
    with tempfile.TemporaryDirectory(prefix="netmon-snmpd-") as own_dir:
        directory = Path(state_dir or own_dir)
        config = directory / "snmpd.conf"
        config.write_text(
            f"agentAddress udp:127.0.0.1:{port}\n"
            f"rocommunity {COMMUNITY} 127.0.0.1\n"
            f'createUser {V3_USER} SHA-256 "{AUTH_PASSWORD}" AES "{PRIV_PASSWORD}"\n'
            f"rouser {V3_USER} priv\n"
            f"rwcommunity {CACHE_ADMIN} 127.0.0.1 .1.3.6.1.4.1.8072.1.5\n"
        )
        command = [shutil.which("snmpd") or "/usr/sbin/snmpd", "-f", "-Lo", "-C", "-c", str(config),
                   "-p", str(directory / "snmpd.pid"), "-M", "/dev/null", "-m", ""]  # fmt: skip
        env = {"SNMP_PERSISTENT_DIR": str(directory / "persist"), "MIBS": ""}
        with running(command, lambda out: "NET-SNMP version" in out, timeout=30, **env):
            with ThreadPoolExecutor(1) as thread:  # its own event loop, whether or not the caller runs one
                thread.submit(asyncio.run, _live_counters(port)).result()
            yield port


async def _live_counters(port: int) -> None:
    """Turn snmpd's interface cache off: each poll then reads the kernel's counters of that moment."""
    engine = snmp.SnmpEngine()
    target = await snmp.UdpTransportTarget.create(("127.0.0.1", port), timeout=2, retries=2)
    value = snmp.ObjectType(snmp.ObjectIdentity(IF_TABLE_CACHE_TIMEOUT), Integer(0))
    error, status, _, _ = await snmp.set_cmd(engine, snmp.CommunityData(CACHE_ADMIN), target, snmp.ContextData(), value)
    assert not error, f"could not turn snmpd's cache off: {error}"
    assert not status, f"could not turn snmpd's cache off: {status}"
    engine.close_dispatcher()


@contextmanager
def snmpsim(recording: str = "cisco-3750") -> Iterator[tuple[int, str]]:
    """snmpsimd serving tests/data/snmp/<recording>.snmprec; yields (port, community)."""
    port = free_udp_port()
    with tempfile.TemporaryDirectory(prefix="netmon-snmpsim-") as directory:
        data, cache = Path(directory, "data"), Path(directory, "cache")
        data.mkdir()
        cache.mkdir()
        shutil.copy(RECORDINGS / f"{recording}.snmprec", data)
        command = [shutil.which("snmpsimd") or "/usr/bin/snmpsimd", f"--data-dir={data}", f"--cache-dir={cache}",
                   f"--agent-udpv4-endpoint=127.0.0.1:{port}"]  # fmt: skip
        if os.geteuid() == 0:  # snmpsimd will not run as root: it drops to nobody, who must read its files
            command += ["--process-user=nobody", "--process-group=nogroup"]
            os.chmod(directory, 0o755)
            shutil.chown(cache, "nobody", "nogroup")
            for path in (data, *data.iterdir()):
                path.chmod(0o755 if path.is_dir() else 0o644)
        with running(command, lambda out: "Listening at UDP" in out, timeout=60):
            yield port, recording


@contextmanager
def silent_udp_port() -> Iterator[int]:
    """A UDP port that takes every request and answers none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        yield sink.getsockname()[1]
