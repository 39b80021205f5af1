"""The names a probe and the centre agree on: its Redis user and its four keys.

Probe NAME has "<prefix>:probe:NAME:results" (a stream it appends to and cannot read),
"<prefix>:probe:NAME:datagrams" (the same, for what its event and flow receivers take),
"<prefix>:probe:NAME:lease" (held while it runs) and "<prefix>:probe:NAME:assignments"
(its checks, sealed with its own key, which it reads and cannot write). Names follow the
agents' rule: no ":" nor glob characters, so no name's keys are another probe's.
"""

from netmon_agent.keys import DEFAULT_PREFIX, NAME, NAME_RULE, glob_escape  # noqa: F401 -- one rule for names

# What waits in Redis while the centre's database is away: two hours of 2,000 checks
# every 30 s. While Redis itself is unreachable, results wait on the probe's disk instead.
STREAM_MAXLEN = 500_000
# Datagrams are smaller than results and come in bursts (a flow cache expiring at once).
DATAGRAMS_MAXLEN = 1_000_000
# A stream entry's fields: the result as JSON text, and the probe's clock as it sent it
# (the entry's id is Redis's clock: the difference is the probe's clock skew).
ENTRY_FIELD = "entry"
SENT_FIELD = "sent"
# The largest entry the centre takes (probes.entries), and the probe sends. The largest are
# SNMP polls: a 48-port switch's ports are 12.4 KB (netmon_probe.snmp.wire), its forwarding
# and ARP tables, read every few minutes, about 40 bytes a row. A poll that would not fit is
# sent without its tables, then without its ports (netmon_probe.runtime.result_text).
MAX_ENTRY_BYTES = 256 * 1024
# A datagram entry's "<buffer identity>:<number>": an entry sent again after a reply lost on
# the way back is known at the centre, and skipped.
SEQUENCE_FIELD = "seq"


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ValueError(f"invalid probe name {name!r}: {NAME_RULE}")
    return name


def redis_user(prefix: str, name: str) -> str:
    return f"{prefix}-probe-{check_name(name)}"


def results_key(prefix: str, name: str) -> str:
    return f"{prefix}:probe:{check_name(name)}:results"


def datagrams_key(prefix: str, name: str) -> str:
    """A stream of its own: a flood of flows never waits in front of the check results."""
    return f"{prefix}:probe:{check_name(name)}:datagrams"


def lease_key(prefix: str, name: str) -> str:
    """Held by the running probe of that name: a second one is refused, and the centre sees it alive."""
    return f"{prefix}:probe:{check_name(name)}:lease"


def assignments_key(prefix: str, name: str) -> str:
    return f"{prefix}:probe:{check_name(name)}:assignments"


def prefix_of_user(user: str | None, name: str) -> str | None:
    """The REDIS_PREFIX that made the probe's Redis user name (`redis_user`), or None if it is not one."""
    ending = f"-probe-{check_name(name)}"
    if user and user.endswith(ending) and len(user) > len(ending):
        return user[: -len(ending)]
    return None
