"""Alert rules on flows, evaluated where the minutes are written: the flow collector's database
thread, after each written batch (flows_recorded).

A rule's subject is the device ("host:<id>", or "host:<id>:port:<ifIndex>" for a rule on one
port); an exporter that is no monitored device is "exporter:<address>" and only rules on all
hosts see it. Each minute of an exporter is one reading: its rate fires the rule, and a
later minute of the same exporter at or below the recovery threshold resolves it. Whether an
alert fires is reloaded from the database, so a restarted collector resolves what it fired.
"""

import functools
import logging
import math
import threading
import time

import numpy as np

from alerts.flow_rules import EITHER, FlowRuleSpec, mapped_network, rate_bps, step
from alerts.host_scopes import HostScopes
from alerts.models import Alert, AlertRule, AlertState
from alerts.recording import record
from alerts.rules import Transition
from core.web.health import DATABASE_DOWN

logger = logging.getLogger(__name__)

METRIC = "flow_bps"
RELOAD_EVERY_S = 5.0


def spec(rule: AlertRule) -> FlowRuleSpec:
    condition = getattr(rule, "flow_condition", None)
    if condition is None:
        return FlowRuleSpec(rule.id, rule.threshold, rule.recovery)
    network = mapped_network(condition.network) if condition.network else None
    return FlowRuleSpec(
        rule.id, rule.threshold, rule.recovery, network, condition.direction or EITHER, condition.port,
        condition.if_index,
    )  # fmt: skip


class FlowEvaluator:
    def __init__(self) -> None:
        self.loaded_at = -math.inf
        self.rules: dict[int, FlowRuleSpec] = {}
        self.hosts = HostScopes()
        self.firing: set[tuple[int, str]] = set()
        self.lock = threading.Lock()

    def load(self, now: float) -> None:
        rules = AlertRule.objects.filter(enabled=True, metric=METRIC).select_related("flow_condition")
        self.rules, kept = {}, []
        for rule in rules:
            try:
                self.rules[rule.id] = spec(rule)
            except ValueError:
                logger.warning("flow rule %d skipped: its address or prefix does not parse", rule.id)
                continue
            kept.append(rule)
        self.hosts.load(kept)
        self.firing = set(
            Alert.objects.filter(rule_id__in=self.rules, state=AlertState.FIRING).values_list("rule_id", "subject")
        )
        self.loaded_at = now

    def subject_of(self, rule: FlowRuleSpec, exporter: str, host_id: int | None) -> tuple[str, str]:
        if host_id is None:
            subject, label = f"exporter:{exporter}", exporter
        else:
            subject, label = f"host:{host_id}", self.hosts.name(host_id)
        if rule.if_index is None:
            return subject, label
        return f"{subject}:port:{rule.if_index}", f"{label} port {rule.if_index}"

    def evaluate(self, minutes: list[tuple[int, str, np.ndarray]], hosts: dict) -> list[Transition]:
        transitions = []
        for minute, exporter, records in sorted(minutes, key=lambda m: m[0]):
            host_id = hosts.get(exporter)
            for rule_id, rule in self.rules.items():
                if not self.hosts.covers(rule_id, host_id):
                    continue
                subject, label = self.subject_of(rule, exporter, host_id)
                rate = rate_bps(rule, records)
                if kind := step(rule, (rule_id, subject) in self.firing, rate):
                    self.firing.symmetric_difference_update({(rule_id, subject)})
                    transitions.append(Transition(rule_id, subject, label, kind, rate, float(minute + 60)))
        return transitions

    def evaluate_and_record(self, minutes: list[tuple[int, str, np.ndarray]], hosts: dict) -> None:
        now = time.time()
        with self.lock:
            if now - self.loaded_at >= RELOAD_EVERY_S:
                try:
                    self.load(now)
                except DATABASE_DOWN as error:
                    logger.warning("flow rules not reloaded (%s)", error)
            if self.rules and (transitions := self.evaluate(minutes, hosts)):
                record(transitions)


@functools.cache
def flow_evaluator() -> FlowEvaluator:
    return FlowEvaluator()
