import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable

from netmon_agent.collectors import paths
from netmon_agent.collectors.base import Collector
from netmon_agent.rates import rates

logger = logging.getLogger(__name__)

# Hex state codes of /proc/net/tcp (include/net/tcp_states.h).
TCP_STATES = {
    "01": "established",
    "02": "syn_sent",
    "03": "syn_recv",
    "04": "fin_wait1",
    "05": "fin_wait2",
    "06": "time_wait",
    "07": "close",
    "08": "close_wait",
    "09": "last_ack",
    "0A": "listen",
    "0B": "closing",
}
# Cumulative counters of the Tcp: line in /proc/net/snmp that become rates.
SNMP_RATES = {
    "ActiveOpens": "active_opens_ps",
    "PassiveOpens": "passive_opens_ps",
    "RetransSegs": "retrans_segs_ps",
    "InErrs": "in_errors_ps",
    "EstabResets": "resets_ps",
}


def parse_snmp_tcp(text: str) -> dict[str, int]:
    """The Tcp: header/value line pair of /proc/net/snmp as a dict."""
    rows = [line.split()[1:] for line in text.splitlines() if line.startswith("Tcp:")]
    if len(rows) < 2:
        return {}
    return {name: int(value) for name, value in zip(rows[0], rows[1], strict=False)}


def parse_sockstat_tcp(text: str) -> dict[str, int]:
    """`TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1` from /proc/net/sockstat as a dict."""
    for line in text.splitlines():
        if line.startswith("TCP:"):
            words = line.split()[1:]
            return {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)}
    return {}


def count_states(lines: Iterable[str]) -> dict[str, int]:
    """Sockets per state in the lines of a /proc/net/tcp or tcp6 table (header line first)."""
    counts: Counter[str] = Counter()
    lines = iter(lines)
    next(lines, None)  # the header
    for line in lines:
        fields = line.split(None, 4)
        if len(fields) > 3:
            counts[TCP_STATES.get(fields[3], "unknown")] += 1
    return dict(counts)


def count_states_in(path: str) -> dict[str, int]:
    """count_states, reading the table a line at a time. Read whole, a table of thousands of
    sockets (active checks leave them in TIME_WAIT) is a block of megabytes every few
    seconds, and the process's memory grows with the largest table seen: in a process
    counting every 50 ms while loopback sockets came and went (up to 4,000 open, tens of
    thousands in TIME_WAIT), 25-44 MiB resident read whole, 15 MiB a line at a time."""
    with open(path) as table:
        return count_states(table)


def read(path: str) -> str:
    with open(path) as file:
        return file.read()


class StateTableRefresher:
    """Counts sockets per TCP state in a background thread.

    Reading /proc/net/tcp walks the kernel's whole connection hash table (about
    2 ms even when nearly empty), too slow for the per-second tick, so the tick
    uses the latest counts this thread left behind.
    """

    def __init__(self, every: float) -> None:
        self.every = every
        self.counts: dict[str, int] | None = None
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tcp-states", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        # The agent's one thread of its own must outlive any failure: a dead one would leave
        # every later frame with the last counts it made. Until it counts again, none are sent.
        while True:
            try:
                self.counts = self._count()
            except Exception:
                self.counts = None
                logger.exception("TCP state table unreadable; retrying in %s s", self.every)
            time.sleep(self.every)

    @staticmethod
    def _count() -> dict[str, int]:
        counts = Counter(count_states_in(paths.proc("net", "tcp")))
        with contextlib.suppress(FileNotFoundError):  # IPv6 disabled
            counts.update(count_states_in(paths.proc("net", "tcp6")))
        return dict(counts)


class TcpCollector(Collector):
    """TCP connection counts (cheap ones every tick, every state now and then) and rates."""

    key = "tcp"

    # Every state is counted this often, in a background thread; 0 turns that off.
    states_every = 5.0

    def __init__(self, states_every: float | None = None) -> None:
        every = self.states_every if states_every is None else states_every
        self._states = StateTableRefresher(every) if every > 0 else None
        self._previous: dict[str, int] | None = None

    def collect(self, elapsed):
        snmp = parse_snmp_tcp(read(paths.proc("net", "snmp")))
        sockstat = parse_sockstat_tcp(read(paths.proc("net", "sockstat")))
        current = {name: snmp[name] for name in SNMP_RATES if name in snmp}
        per_second = rates(self._previous, current, elapsed)
        self._previous = current
        result = {
            "established": snmp.get("CurrEstab"),
            "time_wait": sockstat.get("tw"),
            "orphan": sockstat.get("orphan"),
            "in_use": sockstat.get("inuse"),
            **{SNMP_RATES[name]: None if value is None else round(value, 1) for name, value in per_second.items()},
        }
        if self._states is not None:
            self._states.ensure_running()
            result["states"] = self._states.counts
        return result
