"""The WebSocket endpoints: who may open each, what it is for, and how it may be closed."""

from core.contracts.groups import CLOSE_RECONNECT, CLOSE_UNAUTHENTICATED
from core.contracts.protocol.spec import Socket

STATS, ALERTS, ECHO, CHAT, STATUS = "/ws/stats/", "/ws/alerts/", "/ws/echo/", "/ws/chat/<room>/", "/ws/status/<slug>/"
# Every socket that needs a login (core.sockets.consumers.AuthenticatedJsonConsumer) has these.
SESSION_SOCKETS = (STATS, ALERTS, ECHO, CHAT)
LOGGED_IN = "Logged-in users with a session, from an allowed Origin; at most `WS_MAX_SOCKETS_PER_USER` sockets each."
LOGIN_CLOSES = (
    (CLOSE_UNAUTHENTICATED, "no session, or it ended (logout, user deactivated): the page goes to the login form"),
    (CLOSE_RECONNECT, "the user's groups or permissions changed: the page reconnects to be authorised afresh"),
    (4429, "more open sockets than `WS_MAX_SOCKETS_PER_USER` (after an error frame saying so)"),
)

SOCKETS = {
    STATS: Socket(
        STATS,
        LOGGED_IN,
        "Live data for the dashboard, host pages and the network map: agents' samples, host states, "
        "check results, ports and the state of the parts live data depends on.",
        "dashboard.consumers.StatsConsumer",
        LOGIN_CLOSES,
    ),
    ALERTS: Socket(
        ALERTS,
        LOGGED_IN,
        "The user's own alert channel: open alerts on connect, then each alert event, in the user's language.",
        "alerts.consumers.AlertConsumer",
        LOGIN_CLOSES,
    ),
    ECHO: Socket(
        ECHO,
        LOGGED_IN,
        "Every frame a user sends comes back to all of that user's open echo sockets and nobody else's.",
        "chat.consumers.EchoConsumer",
        LOGIN_CLOSES,
    ),
    CHAT: Socket(
        CHAT,
        LOGGED_IN + " Everyone reads; posting needs the operator role; an alert's room only its recipients and admins.",
        "One chat room: the last messages on join, then messages and presence live.",
        "chat.consumers.ChatConsumer",
        (*LOGIN_CLOSES, (4400, "the room cannot be used (bad name, not allowed, too many new rooms)")),
    ),
    STATUS: Socket(
        STATUS,
        "Anyone for a public status page; logged-in users for a private one. Read-only.",
        "A status page's public document, sent again whenever it changes.",
        "status.consumers.StatusPageConsumer",
        (
            (4404, "no such page, or it was deleted"),
            (CLOSE_UNAUTHENTICATED, "a private page and no session"),
        ),
    ),
}
