"""Finding the Redis master through Sentinel: sentinel addresses as host:port, and what of a
Redis URL a connection to the master keeps (user, password, database).

Shared by the agent and the server processes' settings; imports nothing of the server.
"""

from urllib.parse import unquote, urlsplit

# All the product asks of a sentinel (redis-py's master and replica discovery, and its
# health checks): the commands of the sentinel user every part is best given
# (docs: deploy/several-machines.md). Starting a failover or changing what is monitored is not
# among them. CLIENT SETINFO, which Redis 7.2 added, is sent too, and its refusal ignored.
DISCOVERY_COMMANDS = (
    "+sentinel|masters +sentinel|master +sentinel|get-master-addr-by-name +sentinel|replicas"
    " +sentinel|slaves +sentinel|sentinels +ping +auth +hello +client|setname"
)


def parse_address(text: str) -> tuple[str, int]:
    """`host:port`, an IPv6 host in brackets; ValueError when it is not one."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def format_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def credentials(url: str) -> dict:
    """The URL's user, password and database, without its server (the sentinels name that).

    Parsed here rather than by redis-py: the server's settings use it, and importing
    redis there would add 80 ms to every process's start.
    """
    parts = urlsplit(url)
    return {
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "db": int(parts.path.strip("/") or 0),
    }
