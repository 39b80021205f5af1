"""Which hosts a rule covers (every host, one host, the hosts of one tag), and their names: for
the event and flow rules, which are evaluated against a device rather than through the
threshold index of alerts.evaluator."""

from collections import defaultdict

from alerts.models import AlertRule, Scope
from monitor.models import Host


class HostScopes:
    def __init__(self) -> None:
        self.scopes: dict[int, tuple[str, int | None, int | None]] = {}
        self.host_tags: dict[int, set[int]] = {}
        self.names: dict[int, str] = {}

    def load(self, rules: list[AlertRule]) -> None:
        """The scopes of `rules`, every host's tags and every host's name, read again."""
        self.scopes = {rule.id: (rule.scope, rule.host_id, rule.tag_id) for rule in rules}
        self.host_tags = defaultdict(set)
        for host_id, tag_id in Host.tags.through.objects.values_list("host_id", "tag_id"):
            self.host_tags[host_id].add(tag_id)
        self.names = dict(Host.objects.values_list("id", "name"))

    def covers(self, rule_id: int, host_id: int | None) -> bool:
        """Whether the rule watches `host_id` (None: a source that is no monitored host)."""
        scope, rule_host, rule_tag = self.scopes[rule_id]
        if scope == Scope.ALL:
            return True
        return host_id is not None and ((scope == Scope.HOST and rule_host == host_id) or (
            scope == Scope.TAG and rule_tag in self.host_tags.get(host_id, ())))  # fmt: skip

    def name(self, host_id: int) -> str:
        return self.names.get(host_id, f"host {host_id}")
