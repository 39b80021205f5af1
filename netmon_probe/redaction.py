"""Secrets out of URLs and text, before a result leaves the process that measured it.

A URL keeps its scheme, host, path and ordinary parameters; its password (or a lone
user part, often a token), and the values of parameters whose names say they are
secret (token, key, password, signature…), become MASK. Framework-free: the probe
redacts its HTTP checks' results as the centre does (core.security.redaction).
"""

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_SECRET_NAME = re.compile(r"pass|secret|token|key|auth|sig|credential|session|private", re.IGNORECASE)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)


def _redact_pairs(text: str) -> str:
    pairs = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        pairs.append(f"{name}={MASK}" if sep and value and _SECRET_NAME.search(name) else pair)
    return "&".join(pairs)


def redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL we can take apart: show none of it
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if has_password else f"{MASK}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, _redact_pairs(parts.query), _redact_pairs(parts.fragment)))


def redact_text(text: str) -> str:
    """`text` with every URL in it redacted (error messages, log lines)."""
    return _URL.sub(lambda match: redact_url(match.group()), text) if "://" in text else text
