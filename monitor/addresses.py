"""Validation of what admins type as targets: host addresses, DNS names, DNS servers."""

import ipaddress
import re

from django.core.exceptions import ValidationError

from core.security import destinations
from netmon_probe.checks.dns import parse_server

# RFC 1123 labels: letters, digits and inner hyphens, 1-63 characters each.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_hostname(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    # An all-numeric dotted name such as 300.1.1.1 is a mistyped IP, not a hostname.
    if all(label.isdigit() for label in labels):
        return False
    return all(_LABEL.match(label) for label in labels)


def validate_address(value: str) -> None:
    """A host address: an IPv4/IPv6 address outside the denied networks, or a DNS hostname."""
    if not (is_ip(value) or is_hostname(value)):
        raise ValidationError(
            "“%(value)s” is neither an IP address nor a valid hostname "
            "(letters, digits and hyphens in dot-separated labels).",
            code="invalid_address",
            params={"value": value},
        )
    validate_destination(value)


def validate_destination(host: str) -> None:
    """Refuse a literal IP in a denied network (hostnames are checked when they resolve)."""
    if problem := destinations.host_refusal(host):
        raise ValidationError(problem, code="denied_destination")


def validate_dns_name(value: str) -> None:
    if not is_hostname(value):
        raise ValidationError("“%(value)s” is not a valid DNS name.", code="invalid_dns_name", params={"value": value})


def validate_dns_server(value: str) -> None:
    try:
        host, _ = parse_server(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_dns_server") from None
    validate_destination(host)
