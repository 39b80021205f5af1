"""Cause before symptom: the alerts of hosts cut off behind a DOWN parent are held.

discovery.root_cause decides, over the dependencies discovery derives, which DOWN hosts
are causes and which are only unreachable behind one. Here a firing transition of a held
host is stored as HELD ("unreachable via <parent>"): nobody is notified and pages show it
dimmed. A cause's firing event says how many hosts are held behind it. Once the parent is
back, each held alert is evaluated again: its host still DOWN fires it (now notified),
its host back resolves it with its own next result (no notification: none was sent).
"""

from discovery import decisions
from discovery.root_cause import Decision
from monitor.models import Host


def host_of(subject: str) -> int | None:
    kind, _, key = subject.partition(":")
    return int(key) if kind == "host" and key.isdigit() else None


class Suppression:
    """The root-cause decision for one batch of transitions, made at most once, and only when a host alert moves."""

    def __init__(self) -> None:
        self._decision: Decision | None = None
        self._names: dict[int, str] = {}

    @property
    def decision(self) -> Decision:
        if self._decision is None:
            self._decision = decisions.current()
            self._names = dict(Host.objects.filter(pk__in=list(self._decision.causes)).values_list("id", "name"))
        return self._decision

    def via(self, subject: str) -> str:
        """The name of the DOWN parent a host subject is unreachable via, or "" when it is not held."""
        host_id = host_of(subject)
        if host_id is None:
            return ""
        cause = self.decision.held.get(host_id)
        return "" if cause is None else self._names.get(cause, str(cause))

    def behind(self, subject: str) -> int:
        """How many hosts are held behind a host subject that is a cause."""
        host_id = host_of(subject)
        return self.decision.causes.get(host_id, 0) if host_id is not None else 0

    def down(self, subject: str) -> bool:
        host_id = host_of(subject)
        return host_id is not None and (host_id in self.decision.causes or host_id in self.decision.held)
