"""Typed readers for settings that come from the environment.

Each helper raises ImproperlyConfigured naming the variable, so a bad value
stops the process at start-up with a clear message instead of being guessed at.
"""

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from netmon_agent.sentinels import parse_address

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return _number(name, default, int, "a whole number", minimum)


def env_float(name: str, default: float, *, minimum: float) -> float:
    return _number(name, default, float, "a number", minimum)


def _number(name: str, default, parse, what: str, minimum):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what}") from None
    if minimum is not None and not value >= minimum:  # also rejects NaN
        raise ImproperlyConfigured(f"{name}={raw} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default).strip()
    scheme = urlsplit(raw).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with one of {', '.join(s + '://' for s in schemes)}; got scheme {scheme!r}"
        )
    return raw


def env_addresses(name: str) -> list[tuple[str, int]]:
    """`host:port,host:port` (an IPv6 host in brackets) as (host, port) pairs; none when unset."""
    try:
        return [parse_address(item) for item in env_list(name, [])]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}, e.g. 10.0.0.5:26379") from None


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`10.0.0.5,192.0.2.0/24,::1` as networks (an address is a network of one); none when unset."""
    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name, [])]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}, e.g. 127.0.0.1 or 10.0.0.0/24") from None


def env_pairs(name: str) -> dict[str, str]:
    """`key=value;key=value` as a dict; a value may hold `=` and `,` (a DN does). None when unset."""
    pairs = {}
    for item in (os.environ.get(name) or "").split(";"):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: {item.strip()!r} is not key=value, e.g. admin=cn=admins,dc=example")
        pairs[key.strip()] = value.strip()
    return pairs
