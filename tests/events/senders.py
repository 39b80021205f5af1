"""Real senders of network events: net-snmp's snmptrap and snmpinform, util-linux logger."""

import subprocess

IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
LINK_DOWN, LINK_UP, COLD_START = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.6.3.1.1.5.1"
V3_USER = {"user": "traps", "engine_id": "8000000001020304", "auth": "authpass123", "priv": "privpass123"}


def run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


def v3_options(user: dict = V3_USER) -> list[str]:
    return ["-v3", "-l", "authPriv", "-u", user["user"], "-a", "SHA-256", "-A", user["auth"], "-x", "AES",
            "-X", user["priv"]]  # fmt: skip


def snmptrap(port: int, version: str, trap: str, *varbinds: str, community: str = "public", user=V3_USER):
    target = f"127.0.0.1:{port}"
    if version == "1":
        # enterprise, agent address, generic trap (2: linkDown), specific, uptime
        generic = {LINK_DOWN: "2", LINK_UP: "3", COLD_START: "0"}[trap]
        return run(["snmptrap", "-v1", "-c", community, target, "1.3.6.1.4.1.8072", "198.18.0.1", generic, "0", "",
                    *varbinds])  # fmt: skip
    if version == "3":
        return run(["snmptrap", *v3_options(user), "-e", "0x" + user["engine_id"], target, "", trap, *varbinds])
    return run(["snmptrap", "-v2c", "-c", community, target, "", trap, *varbinds])


def snmpinform(port: int, version: str, trap: str, *varbinds: str) -> subprocess.CompletedProcess:
    """Exits 0 only once the receiver has acknowledged the INFORM."""
    auth = v3_options() if version == "3" else ["-v2c", "-c", "public"]
    return run(["snmpinform", *auth, "-t", "5", "-r", "2", f"127.0.0.1:{port}", "", trap, *varbinds])


def logger(port: int, text: str, *options: str) -> subprocess.CompletedProcess:
    return run(["logger", "-n", "127.0.0.1", "-P", str(port), *options, text])
