"""Every channel-layer group and group message type, named in one place.

Group names are built from ids, never from text people typed (channels allows
ASCII letters, digits, `-`, `_` and `.` only, under 100 characters).

Each message type carries a frame encoded once by its sender in "text"; consumers
pass it to the socket as it is (see core.sockets.consumers).
"""

import hashlib
import re

# --- groups ---------------------------------------------------------------------------

# Every dashboard: agents' stats frames and monitored hosts' states.
STATS_GROUP = "stats"


# One member per web process (status.hub): told which status page has a new document.
STATUS_PAGES_GROUP = "status.pages"


# Pages showing every network device (the map): each device's ports after each poll.
DEVICES_GROUP = "devices"


def host_group(host_id: int) -> str:
    """Pages watching one monitored host: its full check results."""
    return f"host.{int(host_id)}"


def alerts_user_group(user_id: int) -> str:
    """One user's alert channel: every tab that user has open."""
    return f"alerts.user.{int(user_id)}"


def echo_user_group(user_id: int) -> str:
    """One user's echo channel."""
    return f"echo.user.{int(user_id)}"


def chat_room_group(room_id: int) -> str:
    return f"chat.room.{int(room_id)}"


def user_group(user_id: int) -> str:
    """Every socket of one user, whatever the page: told when the user's access changes."""
    return f"user.{int(user_id)}"


def session_group(session_key: str) -> str:
    """Every socket of one browser session: told when it logs out. A digest, as group
    names are visible to anyone who can list Redis channels and a session key is a login."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


# --- message types ----------------------------------------------------------------------

STATS_FRAME = "stats.frame"  # to STATS_GROUP and host groups
ALERT_FRAME = "alert.frame"  # to alert user groups
ECHO_FRAME = "echo.frame"  # to echo user groups
CHAT_MESSAGE = "chat.message"  # to chat room groups, or one socket (an error)
CHAT_PRESENCE = "chat.presence"  # to chat room groups
STATUS_CHANGED = "status.changed"  # to STATUS_PAGES_GROUP; "text" holds the page id
# To user and session groups; "text" holds the close code. Handled by every consumer.
ACCESS_CHANGED = "access.changed"
# To user groups: the user's password changed, so some of their sessions ended. Every
# consumer reads its session again and closes with CLOSE_UNAUTHENTICATED if it ended.
SESSION_CHECK = "session.check"

# Close codes a page acts on (static/js/live-socket.js).
CLOSE_UNAUTHENTICATED = 4401  # the session is gone: go to the login page (mirrors HTTP 401)
CLOSE_RECONNECT = 4001  # the user's rights changed: reconnect at once to be authorised afresh

# --- chat rooms that belong to an object --------------------------------------------------

_ROOM_SUBJECT = re.compile(r"^(host|alert)-(\d+)$")


def host_room_name(host_id: int) -> str:
    return f"host-{int(host_id)}"


def alert_room_name(alert_id: int) -> str:
    return f"alert-{int(alert_id)}"


def room_subject(name: str) -> tuple[str, int] | tuple[None, None]:
    """("host", id) or ("alert", id) for a room of an object, else (None, None)."""
    match = _ROOM_SUBJECT.match(name)
    return (match[1], int(match[2])) if match else (None, None)
