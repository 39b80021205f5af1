"""Sending one notification through Apprise, with the reason when it fails."""

import apprise

from core.redaction import redact_text


def send(url: str, title: str, body: str) -> str:
    """Send; returns "" on success or the reason it failed."""
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return "Apprise does not understand this URL"
    # Apprise reports failures only in its log: capture it for this one send.
    with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as log:
        ok = notifier.notify(title=title, body=body)
        reason = log.getvalue().strip().splitlines()
    if ok:
        return ""
    # Apprise names the URL it sent to: keep its password and tokens out of the record.
    return redact_text(reason[-1] if reason else "Apprise reported a failure")[:500]
