"""Finding the Redis master through Sentinel: sentinel addresses as host:port, and what of a
Redis URL a connection to the master keeps (user, password, database).

Shared by the agent and the server processes' settings; imports nothing of the server.
"""

from redis.connection import parse_url


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
    """The URL's user, password and database, without its server (the sentinels name that)."""
    return {key: value for key, value in parse_url(url).items() if key in ("username", "password", "db")}
