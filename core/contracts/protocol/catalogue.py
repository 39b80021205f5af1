"""Every frame type on every socket, each way: the protocol the code and the docs answer to.

Senders build their frames through `core.contracts.protocol.frame`, which checks them against this
catalogue; the protocol page of the docs is rendered from it (`core.contracts.protocol.markdown`).
A new frame type is one entry here, then its sender and its handler.
"""

from core.contracts.protocol.sockets import ALERTS, CHAT, ECHO, SESSION_SOCKETS, STATS, STATUS
from core.contracts.protocol.spec import ANY_TYPE, CLIENT_TO_SERVER, SERVER_TO_CLIENT, FrameType
from core.contracts.protocol.spec import field as f
from core.contracts.protocol.spec import optional as opt

UNIX_S = "number"  # unix seconds, with fractions

_host_summary = (
    f("id", "integer", "the host's id"),
    f("name", "string", "its name"),
    f("address", "string", "its address"),
    f("tags", "array of strings", "its tags, sorted"),
    f("status", "string", "up, down, degraded, pending or paused"),
    f("latency_ms", "number | null", "its last latency"),
    f("changed_at", "string | null", "when its status last changed (ISO 8601)"),
    f("checked_at", "string | null", "when it was last checked (ISO 8601)"),
    opt(
        "busiest_port",
        "object",
        "a device's port carrying the most traffic",
        f("name", "string", "the port's name"),
        f("bps", "number", "its traffic, the busier direction"),
        f("util_pct", "number | null", "its utilisation"),
        f("ports", "integer", "how many ports the device has"),
    ),
)
_result = (
    f("check", "integer", "the check's id"),
    f("ts", UNIX_S, "when the check started"),
    f("status", "string", "up, down or degraded"),
    f("latency_ms", "number | null", "latency"),
    f("loss_pct", "number | null", "packet loss"),
    f("jitter_ms", "number | null", "jitter"),
    f("error", "string", "why it failed, empty when it did not"),
    f("details", "object", "what the check's kind reports"),
)
_port = (
    f("index", "integer", "ifIndex"),
    f("name", "string", "ifName or ifDescr"),
    f("alias", "string", "ifAlias"),
    f("speed_bps", "integer | null", "speed"),
    f("admin_up", "boolean | null", "administratively up"),
    f("oper", "string", "operational status"),
    f("in_bps", "number | null", "inbound rate"),
    f("out_bps", "number | null", "outbound rate"),
    f("util_pct", "number | null", "utilisation of the busier direction"),
    f("errors_ps", "number | null", "errors per second"),
    f("discards_ps", "number | null", "discards per second"),
    f("changed", "number | null", "when its operational status last changed (unix s)"),
    f("ts", UNIX_S, "when it was polled"),
)
_alert = (
    f("id", "integer", "the alert's id"),
    f("rule", "string", "the rule's name"),
    f("severity", "string", "the rule's severity"),
    f("subject", "string", "what it is about (a host, a check, an agent)"),
    f("state", "string", "firing, resolved or acknowledged"),
    f("value", "number | null", "the value that crossed the rule"),
    f("since", UNIX_S, "since when it is in this state"),
    f("message", "string", "the event's text, in the user's language"),
    f("acknowledged_by", "string | null", "who acknowledged it"),
)
_chat_message = (
    f("id", "integer", "the message's id"),
    f("author", "string", "the author's username"),
    f("text", "string", "the message"),
    f("ts", UNIX_S, "when it was saved"),
)


def _server(name, sockets, sender, meaning, *fields, on_connect=""):
    return FrameType(name, SERVER_TO_CLIENT, sockets, sender, meaning, fields, on_connect)


def _client(name, sockets, handler, meaning, *fields):
    return FrameType(name, CLIENT_TO_SERVER, sockets, handler, meaning, fields)


_DECLARED = [
    # --- every socket -------------------------------------------------------------------
    _client("ping", (*SESSION_SOCKETS, STATUS), ("core.sockets.consumers", "status.consumers"), "Is the socket alive?"),
    _server(
        "pong", (*SESSION_SOCKETS, STATUS), ("core.sockets.consumers", "status.consumers"), "The answer to a ping."
    ),
    _server(
        "error",
        (*SESSION_SOCKETS, STATUS),
        ("core.sockets.consumers", "chat.outbox", "status.consumers"),
        "A frame was refused (malformed, too large, too deep, unknown type, bad field, not allowed, too many), "
        "or chat messages could not be saved. The socket stays open unless a close follows.",
        f("message", "string", "what was wrong, for people"),
        opt("client_ids", "array of strings", "chat: the client ids of the messages refused (send them again)"),
    ),
    _server(
        "link",
        SESSION_SOCKETS,
        ("core.sockets.consumers",),
        "The web process lost Redis (live: false), or has it again (live: true). Before `live: true` the socket "
        "is sent what it is sent on connect again; the page fills the gap from the history API.",
        f("live", "boolean", "whether live frames flow"),
    ),
    # --- /ws/stats/ -------------------------------------------------------------------
    _server(
        "stats",
        (STATS,),
        ("netmon_agent.sampler",),
        "An agent's sample, relayed as the agent encoded it (see the stats frame page for every key).",
        f("host", "string", "the agent's name, stamped by the server from the stream it came on"),
        f("ts", UNIX_S, "when the sample was taken"),
        f("seq", "integer", "tick counter of the agent process; a page drops a frame it has seen"),
        opt("cpu", "object", "count, percent, user, system, iowait, steal, cores"),
        opt("load", "object", "1m, 5m, 15m, per_core"),
        opt("mem", "object", "total, available, used, percent, swap_total, swap_used, swap_percent"),
        opt("disk", "object", "mounts.<mountpoint> and io.<device>"),
        opt("net", "object", "one object per interface: rates, errors, drops, up, speed_mbps, mtu"),
        opt("tcp", "object", "connection counts and rates, states"),
        opt("uptime", "number", "seconds since boot"),
        opt("missing", "array of strings", "the collectors that failed this tick"),
        on_connect="the newest of each agent",
    ),
    _server(
        "agent_state",
        (STATS,),
        ("stats.streams",),
        "An agent went offline (no frame for AGENT_OFFLINE_AFTER_S) or came back.",
        f("host", "string", "the agent's name"),
        f("online", "boolean", "whether it reports"),
        f("since", UNIX_S, "its last frame (offline), or when it came back"),
        on_connect="one for each agent offline now",
    ),
    _server(
        "checks_dispatch",
        (STATS,),
        ("stats.part_watch",),
        "Whether checks are dispatched (celery beat and the general worker run), when that changes.",
        f("running", "boolean", "whether checks are dispatched"),
        f("since", UNIX_S, "the last dispatch"),
        on_connect="the last one sent",
    ),
    _server(
        "database",
        (STATS,),
        ("stats.part_watch",),
        "Whether the database answers and takes writes, when that changes.",
        f("available", "boolean", "whether it answers and takes writes"),
        f("since", UNIX_S, "when it stopped answering, or when it answered again"),
        on_connect="the last one sent",
    ),
    _server(
        "hosts",
        (STATS,),
        ("dashboard.frames",),
        "The hosts whose state or latency a saved batch of check results changed.",
        f("hosts", "array of objects", "one summary per host", *_host_summary),
    ),
    _server(
        "check_results",
        (STATS,),
        ("dashboard.frames",),
        "A saved batch's results of the watched host, every field of each.",
        f("host", "integer", "the host's id"),
        f("status", "string | null", "the host's status after the batch"),
        f("results", "array of objects", "one per result", *_result),
    ),
    _server(
        "ports",
        (STATS,),
        ("dashboard.frames",),
        "A device's ports after each SNMP poll, and the port a linkDown or linkUp trap changed at once: "
        "to the sockets watching it and those watching devices.",
        f("host", "integer", "the device's host id"),
        f("ports", "array of objects", "one per port", *_port),
    ),
    _server(
        "events",
        (STATS,),
        ("events.live",),
        "The watched device's network events (SNMP traps, syslog) as the receiver takes them, "
        "at most one frame per device every 50 ms.",
        f("host", "integer", "the device's host id"),
        f(
            "events",
            "array of objects",
            "oldest first",
            f("ts", UNIX_S, "when the receiver took it"),
            f("kind", "string", "trap or syslog"),
            f("severity", "integer", "0 (emergency) to 7 (debug), as in syslog"),
            f("facility", "integer | null", "syslog's facility"),
            f("source", "string", "the address it came from"),
            f("name", "string", "a trap's name (MIB::name, or its OID), a syslog message's APP-NAME"),
            f("text", "string", "the message, or a trap's varbinds by name"),
        ),
    ),
    _server(
        "flow_talkers",
        (STATS,),
        ("flows.live",),
        "A device's top talkers over the last minute, from the flows it exports, every few seconds while "
        "flows arrive: to the sockets watching it.",
        f("host", "integer", "the device's host id"),
        f("ts", UNIX_S, "when it was computed"),
        f("window_s", "integer", "the span it covers, ending at ts"),
        f(
            "ports",
            "array of objects",
            "one per port and direction that carried flows",
            f("index", "integer", "ifIndex (0: not known to the exporter)"),
            f("name", "string", "the port's name from SNMP, else `ifIndex <n>`"),
            f("direction", "string", "in or out"),
            f("bytes", "integer", "every byte of the port in that direction (the sum of each table)"),
            f("sources", "array of arrays", '[address, bytes], the busiest first; key "" is everything else'),
            f("destinations", "array of arrays", "[address, bytes]"),
            f("pairs", "array of arrays", '["source > destination", bytes]'),
            f("protocols", "array of arrays", "[protocol, bytes]"),
            f("services", "array of arrays", '["tcp/443 (https)", bytes]'),
        ),
    ),
    _client(
        "watch",
        (STATS,),
        ("dashboard.consumers",),
        "Also receive one host's check results and ports (one host per socket: a new watch replaces the last), "
        "or every device's ports.",
        opt("host", "integer", "the id of a monitored host"),
        opt("devices", "boolean", "true: every device's ports (the network map)"),
    ),
    _server(
        "watching",
        (STATS,),
        ("dashboard.consumers",),
        "The answer to a watch that was accepted.",
        opt("host", "integer", "the host now watched"),
        opt("devices", "boolean", "true when every device's ports are watched"),
    ),
    # --- /ws/alerts/ ----------------------------------------------------------------------
    _server(
        "alerts",
        (ALERTS,),
        ("alerts.consumers",),
        "The user's open alerts, replacing whatever the page shows.",
        f("alerts", "array of objects", "one per open alert", *_alert),
        on_connect="always",
    ),
    _server(
        "alert",
        (ALERTS,),
        ("alerts.announcing",),
        "An alert fired, resolved or was acknowledged; every recipient gets it.",
        f("event", "string", "firing, resolved or acknowledged"),
        f("alert", "object", "the alert", *_alert),
    ),
    _client(
        "ack",
        (ALERTS,),
        ("alerts.consumers",),
        "Acknowledge one of the user's alerts (needs the operator role).",
        f("id", "integer", "the alert's id"),
    ),
    # --- /ws/echo/ ------------------------------------------------------------------------
    _client(
        ANY_TYPE,
        (ECHO,),
        ("chat.consumers",),
        "Any frame but a ping, sent back to all of the user's echo sockets; at most 20 a second per user.",
    ),
    _server(
        "echo",
        (ECHO,),
        ("chat.consumers",),
        "A frame the user sent, on any of their echo sockets.",
        f("data", "object", "the frame as it was sent"),
        f("ts", UNIX_S, "when the server received it"),
    ),
    # --- /ws/chat/<room>/ -------------------------------------------------------------
    _client(
        "message",
        (CHAT,),
        ("chat.consumers",),
        "Post a message as the logged-in user (operators; at most 10 a second, 2,000 characters).",
        f("text", "string", "the message"),
        opt("client_id", "string", "the page's own id for it (at most 64 characters), returned once it is saved"),
    ),
    _server(
        "history",
        (CHAT,),
        ("chat.consumers",),
        "The room's last messages.",
        f("room", "string", "the room's name"),
        f("archived", "boolean", "an archived room takes no new messages"),
        f("messages", "array of objects", "the last 50, oldest first", *_chat_message),
        on_connect="always",
    ),
    _server(
        "presence",
        (CHAT,),
        ("chat.consumers",),
        "Who is in the room, whenever someone comes or goes.",
        f("users", "array of strings", "usernames, each once however many tabs"),
        on_connect="after the history",
    ),
    _server(
        "messages",
        (CHAT,),
        ("chat.outbox",),
        "The messages saved in one batch of the room.",
        f("room", "string", "the room's name"),
        f("messages", "array of objects", "in order", *_chat_message),
    ),
    _server(
        "saved",
        (CHAT,),
        ("chat.outbox",),
        "To the sender only: these messages are saved (a page sends again what it has no saved for).",
        f("client_ids", "array of strings", "the client ids of the messages saved"),
    ),
    # --- /ws/status/<slug>/ ---------------------------------------------------------------
    _server(
        "status",
        (STATUS,),
        ("status.documents",),
        "The status page's public document, whenever anything it shows changes (also at /status/<slug>/status.json).",
        f("slug", "string", "the page's slug"),
        f("title", "string", "its title"),
        f("description", "string", "its description"),
        f("time_zone", "string", "the zone its days are counted in"),
        f("state", "string", "the worst state of its hosts"),
        f("days", "array of strings", "the days the bars cover, oldest first (ISO dates)"),
        f("sections", "array of objects", "title and hosts: id, name, state, since, uptime, unknown, daily, levels"),
        f("notices", "array of objects", "the notices shown: kind, title and their times"),
        f("generated_at", UNIX_S, "when the document was built"),
        f("etag", "string", "changes whenever anything shown changes"),
        on_connect="always",
    ),
]

# (direction, type) -> its declaration. Read at call time by the builder and the docs,
# so a type added here is checked and documented with no other edit.
FRAMES: dict[tuple[str, str], FrameType] = {(t.direction, t.name): t for t in _DECLARED}
