"""Evaluating alert rules where the data arrives.

An Evaluator lives in each process that sees readings: an agent worker (agent
metrics of its host, on every frame it samples) and a checks worker (host metrics
after each saved batch). States are kept in memory; transitions are recorded by
alerts.recording. While the database is away, rules are evaluated as last loaded and
the transitions wait, in order, to be recorded with the next readings once it is back.
"""

import functools
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from alerts.models import Alert, AlertRule, AlertState, Scope
from alerts.recording import record
from alerts.rules import FIRING, PENDING, RuleIndex, RuleSpec, State, Transition, step
from core.contracts.metrics import AGENT_ALERT_METRICS, HOST_ALERT_METRICS
from core.web.health import DATABASE_DOWN
from monitor.models import Host, MaintenanceWindow

logger = logging.getLogger(__name__)

RELOAD_EVERY_S = 5.0  # rule edits in admin take effect within this
MAX_UNRECORDED = 100_000  # transitions kept for a database that is away; the oldest go first past it
IDLE = State()


class Evaluator:
    def __init__(self, metrics: frozenset[str]) -> None:
        self.metrics = metrics
        self.loaded_at = -math.inf
        # subject -> metric -> rule id -> state, for rules that are not OK (pending or firing)
        self.states: dict[str, dict[str, dict[int, State]]] = defaultdict(lambda: defaultdict(dict))
        self.rules: dict[int, RuleSpec] = {}
        self.unrecorded: list[Transition] = []  # the database was away when they happened
        # The ingest evaluates from two threads (frames, and agents gone silent).
        self.lock = threading.Lock()

    # --- loading ---------------------------------------------------------------------

    def reload_if_stale(self, now: float) -> None:
        # Firing states are reloaded from the database, which lags while transitions wait.
        if self.unrecorded or now - self.loaded_at < RELOAD_EVERY_S:
            return
        try:
            self.load(now)
        except DATABASE_DOWN as error:
            if self.loaded_at == -math.inf:
                raise  # no rules to go on with
            logger.warning("alert rules not reloaded (%s); evaluating the ones loaded before", error)

    def load(self, now: float) -> None:
        rules = list(AlertRule.objects.filter(enabled=True, metric__in=self.metrics))
        self.rules = {
            r.id: RuleSpec(r.id, r.metric, r.comparison, r.threshold, r.recovery, r.for_seconds) for r in rules
        }
        self.scopes = {r.id: (r.scope, r.host_id, r.tag_id, r.agent) for r in rules}
        self.host_ids = dict(Host.objects.values_list("name", "id"))
        self.host_tags = defaultdict(set)
        for host_id, tag_id in Host.tags.through.objects.values_list("host_id", "tag_id"):
            self.host_tags[host_id].add(tag_id)
        moment = datetime.fromtimestamp(now, UTC)
        self.windows = list(
            MaintenanceWindow.objects.filter(starts_at__lte=moment, ends_at__gt=moment).values_list(
                "host_id", "tag_id", "ends_at"
            )
        )
        self.indexes: dict[str, RuleIndex] = {}
        # Keep pending states of rules that still exist; firing ones come from the database.
        for by_metric in self.states.values():
            for metric, states in by_metric.items():
                by_metric[metric] = {rid: s for rid, s in states.items() if rid in self.rules and s.state != FIRING}
        # A held alert is firing as far as its rule goes: only who is told differs (alerts.suppression).
        for rule_id, subject, since, value in Alert.objects.filter(
            rule_id__in=self.rules, state__in=[AlertState.FIRING, AlertState.HELD]
        ).values_list("rule_id", "subject", "since", "value"):
            self.states[subject][self.rules[rule_id].metric][rule_id] = State(FIRING, since.timestamp(), value)
        self.loaded_at = now

    def host_of(self, subject: str) -> int | None:
        kind, _, key = subject.partition(":")
        if kind == "host":
            return int(key)
        return self.host_ids.get(key)  # an agent is the monitored host of the same name, if any

    def index_for(self, subject: str) -> RuleIndex:
        index = self.indexes.get(subject)
        if index is None:
            host_id = self.host_of(subject)
            tags = self.host_tags.get(host_id, set())
            members = [
                self.rules[rule_id]
                for rule_id, (scope, rule_host, rule_tag, rule_agent) in self.scopes.items()
                if scope == Scope.ALL
                or (scope == Scope.HOST and rule_host == host_id)
                or (scope == Scope.TAG and rule_tag in tags)
                or (scope == Scope.AGENT and subject == f"agent:{rule_agent}")
            ]
            index = self.indexes[subject] = RuleIndex(members)
        return index

    def silenced(self, subject: str) -> bool:
        host_id = self.host_of(subject)
        if host_id is None:
            return False
        tags = self.host_tags.get(host_id, set())
        return any(host == host_id or tag in tags for host, tag, _ in self.windows)

    # --- evaluating ------------------------------------------------------------------

    def evaluate(self, readings: dict[str, tuple[str, dict[str, float]]], now: float) -> list[Transition]:
        """Step every rule that a reading breaches, or that is not OK, for each subject.

        `readings`: subject -> (label, {metric: value}). Pure apart from the loaded rules.
        """
        transitions = []
        for subject, (label, values) in readings.items():
            if self.windows and self.silenced(subject):
                continue  # maintenance: nothing fires or resolves until the window ends
            index = self.index_for(subject)
            by_metric = self.states[subject]
            for metric, value in values.items():
                active = by_metric.get(metric)
                breached = index.breached(metric, value) if metric in index.metrics else ()
                if not breached and not active:
                    continue  # the common case: nothing breached, nothing pending or firing
                if active is None:
                    active = by_metric[metric]
                stepped = set()
                for rule in breached:
                    stepped.add(rule.id)
                    self._step(rule, active, value, now, subject, label, transitions, step)
                for rule_id in [rid for rid in active if rid not in stepped]:  # no longer breached
                    self._step(self.rules[rule_id], active, value, now, subject, label, transitions, step)
        return transitions

    @staticmethod
    def _step(rule, active, value, now, subject, label, transitions, step) -> None:
        new, transition = step(rule, active.get(rule.id, IDLE), value, now)
        if new.state == PENDING or new.state == FIRING:
            active[rule.id] = new
        else:
            active.pop(rule.id, None)
        if transition:
            transitions.append(Transition(rule.id, subject, label, transition, value, now))

    def evaluate_and_record(self, readings: dict[str, tuple[str, dict[str, float]]], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.lock:
            self.reload_if_stale(now)
            self._record(self.evaluate(readings, now))

    def evaluate_watched(
        self, subject: str, label: str, read: Callable[[set[str]], dict[str, float]], now: float
    ) -> None:
        """evaluate_and_record of one subject whose readings cost to work out (an agent's frame, every
        second): `read(metrics)` is asked only for the readings that can step a rule there."""
        with self.lock:
            self.reload_if_stale(now)
            self._record(self.evaluate({subject: (label, read(self.watched(subject)))}, now))

    def watched(self, subject: str) -> set[str]:
        """The metrics whose readings can step a rule of `subject`: those its rules watch, and those with
        a rule pending or firing there. evaluate passes over every other reading."""
        if self.windows and self.silenced(subject):
            return set()
        active = self.states.get(subject, {})
        return self.index_for(subject).metrics | {metric for metric, states in active.items() if states}

    def _record(self, transitions: list[Transition]) -> None:
        self.unrecorded += transitions
        if not self.unrecorded:
            return
        del self.unrecorded[:-MAX_UNRECORDED]
        record(self.unrecorded)  # one transaction: all of them, or (raising) none, kept for the next try
        self.unrecorded = []


@functools.cache
def agent_evaluator() -> Evaluator:
    return Evaluator(AGENT_ALERT_METRICS)


@functools.cache
def host_evaluator() -> Evaluator:
    return Evaluator(HOST_ALERT_METRICS)
