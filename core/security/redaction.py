"""Secrets out of URLs and text: what pages, the API, frames, logs and /metrics show.

A URL keeps its scheme, host, path and ordinary parameters; its password (or a lone
user part, often a token), and the values of parameters whose names say they are
secret (token, key, password, signature…), become MASK.
"""

import logging

from netmon_probe.redaction import MASK, redact_text, redact_url  # noqa: F401 -- one rule, the probe's too


def unredact_url(submitted: str, stored: str) -> str:
    """What to save when a form or API client sends back a URL: the stored one if the
    submission is its redacted form, unchanged; otherwise the submission."""
    return stored if stored and submitted == redact_url(stored) else submitted


class RedactingFormatter(logging.Formatter):
    """Log lines, tracebacks included, with URLs redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))
