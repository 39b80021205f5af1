"""What a notification target URL may contain, by who owns it.

Everyone: a scheme Apprise knows that sends over the network (the desktop and local
syslog schemes act on the server itself), and no address the destination policy
denies. Users who do not manage every user's targets (viewers, operators) further get
the common chat, push and mail services and plain webhooks, without custom headers
(`+Name=`), payload fields (`-name=`, `:name=`) or a `method=` override: with those, a
webhook becomes a hand-written request to whatever it reaches.
"""

from urllib.parse import urlsplit

import apprise
from apprise.utils.parse import parse_qsd

from core.security import destinations

LOCAL_SCHEMES = frozenset({"dbus", "kde", "qt", "glib", "gnome", "macosx", "windows", "syslog"})
COMMON_SCHEMES = frozenset(
    {
        *("mailto", "mailtos", "json", "jsons", "xml", "xmls", "form", "forms"),
        *("slack", "discord", "msteams", "tgram", "ntfy", "ntfys", "gotify", "gotifys", "pover", "pbul"),
        *("matrix", "matrixs", "mmost", "mmosts", "rocket", "rockets", "signal", "signals", "zulip", "gchat"),
        *("pagerduty", "opsgenie", "wxteams", "webex", "apprise", "apprises"),
    }
)


def may_use_every_feature(user) -> bool:
    """Whoever may change every user's targets (administrators) may use every Apprise feature."""
    return user.is_superuser or user.has_perm("alerts.change_notificationtarget")


def problem(url: str, user) -> str | None:
    """Why `user` may not send to `url`, or None when they may."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in LOCAL_SCHEMES:
        return f"{scheme}:// notifies on the server itself: use a service reached over the network."
    if not apprise.Apprise().add(url):
        return "Apprise does not understand this URL (see the Apprise documentation)."
    if (host := parts.hostname) and (refused := destinations.host_refusal(host)):
        return refused
    if may_use_every_feature(user):
        return None
    if scheme not in COMMON_SCHEMES:
        return f"{scheme}:// is for administrators to set up; ask one, or use e.g. mailto://, json:// or slack://."
    return _custom_request_problem(parts.query)


def _custom_request_problem(query: str) -> str | None:
    options = parse_qsd(query)  # read as Apprise reads it
    if options["qsd+"] or options["qsd-"] or options["qsd:"]:
        return "Custom headers (+Name=) and payload fields (-name=, :name=) are for administrators to set up."
    if "method" in options["qsd"]:
        return "A method= override is for administrators to set up."
    return None
