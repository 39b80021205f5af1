"""Sending one notification through Apprise: within the destination policy, capped timeouts and a time bound."""

import logging

import apprise
from django.conf import settings

from alerts import target_rules
from core.security.connect_guard import guarded
from core.security.redaction import redact_text

# Plugin attributes that hold a timeout in seconds, and the setting that caps each.
TIMEOUT_CAPS = {
    "socket_connect_timeout": "NOTIFY_CONNECT_TIMEOUT_S",  # cto=
    "socket_read_timeout": "NOTIFY_READ_TIMEOUT_S",  # rto=
    "timeout": "NOTIFY_READ_TIMEOUT_S",  # a few plugins' own timeout=
}


def cap_timeouts(service) -> None:
    for attribute, setting in TIMEOUT_CAPS.items():
        value = getattr(service, attribute, None)
        if isinstance(value, int | float):
            setattr(service, attribute, min(value, getattr(settings, setting)))


def send(url: str, user, title: str, body: str, seconds: float) -> str:
    """Send to `user`'s target `url`; returns "" on success or the reason it failed.

    Every connection passes the destination policy when it is made (redirects too), and
    all of them are cut after `seconds`.
    """
    if problem := target_rules.problem(url, user):
        return problem
    # In this thread, not Apprise's shared pool (a handful of threads per process, so a few
    # targets that never answer would queue every other send behind them): the guard below
    # bounds the time instead of Apprise's own service_timeout.
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False, service_timeout=0))
    notifier.add(url)
    for service in notifier:
        cap_timeouts(service)
    with guarded(seconds) as guard:
        result = notifier.notify(title=title, body=body, log_level=logging.WARNING)
    if result:
        return ""
    if guard.refused:
        return guard.refused[0]
    if guard.timed_out:
        return f"no answer within {seconds:g} s"
    # Apprise tells why only in its log: this call's own entries (other sends run in other threads).
    reasons = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
    # Apprise names the URL it sent to: keep its password and tokens out of the record.
    return redact_text(reasons[-1] if reasons else "Apprise reported a failure")[:500]
