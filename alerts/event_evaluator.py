"""Alert rules on network events, evaluated where the events arrive: the events receiver's
writer thread, after each stored batch (events_recorded).

A rule's subject is the device ("host:<id>"), or the device's port for a trap that names
one ("host:<id>:port:<ifIndex>"), so that linkUp on a port clears linkDown on the same
port only. Windows are kept in memory; firing alerts are reloaded from the database.
"""

import functools
import logging
import math
import re
import threading
import time

from alerts.event_rules import EventFacts, EventRuleSpec, Window, step
from alerts.host_scopes import HostScopes
from alerts.models import Alert, AlertRule, AlertState
from alerts.recording import record
from alerts.rules import Transition
from core.web.health import DATABASE_DOWN
from events.received import Received

logger = logging.getLogger(__name__)

METRIC = "network_events"
RELOAD_EVERY_S = 5.0
MAX_WINDOWS = 100_000  # (rule, subject) windows kept; the oldest forgotten past it


def spec(rule: AlertRule) -> EventRuleSpec:
    condition = getattr(rule, "event_condition", None)
    if condition is None:
        return EventRuleSpec(rule.id, max(1, math.ceil(rule.threshold)), 60.0)
    pattern = re.compile(condition.text_pattern) if condition.text_pattern else None
    return EventRuleSpec(
        rule.id, max(1, math.ceil(rule.threshold)), float(condition.window_s), condition.max_severity,
        condition.trap_name, pattern, condition.clearing_trap_name,
    )  # fmt: skip


class EventEvaluator:
    def __init__(self) -> None:
        self.loaded_at = -math.inf
        self.rules: dict[int, EventRuleSpec] = {}
        self.hosts = HostScopes()
        self.windows: dict[tuple[int, str], Window] = {}
        self.lock = threading.Lock()

    def load(self, now: float) -> None:
        rules = AlertRule.objects.filter(enabled=True, metric=METRIC).select_related("event_condition")
        self.rules = {rule.id: spec(rule) for rule in rules}
        self.hosts.load(rules)
        firing = set(
            Alert.objects.filter(rule_id__in=self.rules, state=AlertState.FIRING).values_list("rule_id", "subject")
        )
        self.windows = {key: w for key, w in self.windows.items() if key[0] in self.rules}
        for key, window in self.windows.items():
            window.firing = key in firing
        for key in firing - self.windows.keys():
            self.windows[key] = Window(firing=True)
        self.loaded_at = now

    def evaluate(self, events: list[Received]) -> list[Transition]:
        transitions = []
        for event in events:
            if event.device is None:
                continue
            subject, label = self.subject_of(event)
            facts = EventFacts(event.ts, event.severity, event.trap_name, event.text)
            for rule_id, rule in self.rules.items():
                if not self.hosts.covers(rule_id, event.device):
                    continue
                window = self.windows.get((rule_id, subject))
                if window is None:
                    if len(self.windows) >= MAX_WINDOWS:
                        self.windows.pop(next(iter(self.windows)))
                    window = self.windows[(rule_id, subject)] = Window()
                if kind := step(rule, window, facts):
                    transitions.append(Transition(rule_id, subject, label, kind, float(len(window.times)), facts.ts))
        return transitions

    def subject_of(self, event: Received) -> tuple[str, str]:
        name = self.hosts.name(event.device)
        port = port_of(event)
        if port is None:
            return f"host:{event.device}", name
        return f"host:{event.device}:port:{port}", f"{name} port {port}"

    def evaluate_and_record(self, events: list[Received]) -> None:
        now = time.time()
        with self.lock:
            if now - self.loaded_at >= RELOAD_EVERY_S:
                try:
                    self.load(now)
                except DATABASE_DOWN as error:
                    logger.warning("event rules not reloaded (%s)", error)
            if self.rules and (transitions := self.evaluate(events)):
                record(transitions)


def port_of(event: Received) -> int | None:
    """The ifIndex a trap names (a varbind IF-MIB::ifIndex.<n>, or another IF-MIB column's index)."""
    for name, _value in event.varbinds:
        if name.startswith("IF-MIB::if") and "." in name:
            index = name.rsplit(".", 1)[1]
            if index.isdigit():
                return int(index)
    return None


@functools.cache
def event_evaluator() -> EventEvaluator:
    return EventEvaluator()
