"""Opening SNMP sessions to the lab's devices with the credentials the lab gives them."""

import socket

from netmon_probe.snmp.client import Credentials, Session


def router_credentials(lab: dict) -> Credentials:
    v3 = lab["v3"]
    return Credentials("3", user=v3["user"], auth_protocol="SHA-256", auth_password=v3["auth_password"],
                       priv_protocol="AES", priv_password=v3["priv_password"])  # fmt: skip


def switch_credentials(lab: dict) -> Credentials:
    return Credentials("2c", community=lab["community"])


def address(lab: dict, name: str) -> str:
    return next(n["address"] for n in lab["nodes"] if n["name"] == name)


async def session(lab: dict, name: str) -> Session:
    kind = next(n["kind"] for n in lab["nodes"] if n["name"] == name)
    credentials = router_credentials(lab) if kind == "router" else switch_credentials(lab)
    return await Session.open(credentials, socket.AF_INET, address(lab, name), 161, timeout_s=2, retries=2)
