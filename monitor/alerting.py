"""Evaluating alert rules where the data arrives, and recording what changes.

An Evaluator lives in each process that sees readings: an agent worker (agent
metrics of its host) and a checks worker (host metrics after each saved batch).
States are kept in memory; a firing or resolving transition is saved as an
AlertEvent with one Notification per recipient target, in one transaction. Only
after the commit is it announced to each recipient's `alerts.user.<pk>` group and
handed to the notification task, so nothing is announced that was not saved, and
a saved notification is sent even if that hand-over is lost (see tasks).
"""

import asyncio
import functools
import json
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import close_old_connections, transaction
from django.db.models import Prefetch, Q

from monitor import alert_rules
from monitor.alert_rules import FIRING, PENDING, RuleIndex, RuleSpec, State
from monitor.models import (
    AGENT_METRICS,
    HOST_METRICS,
    Alert,
    AlertEvent,
    AlertRule,
    AlertState,
    Check,
    Host,
    MaintenanceWindow,
    Notification,
    NotificationTarget,
    Scope,
)
from NetWorkMonitor.loop_thread import start_loop_thread

logger = logging.getLogger(__name__)

RELOAD_EVERY_S = 5.0  # rule edits in admin take effect within this
IDLE = State()


def user_group(user_id: int) -> str:
    return f"alerts.user.{int(user_id)}"


@dataclass(frozen=True)
class Transition:
    rule_id: int
    subject: str
    label: str
    kind: str  # "firing" or "resolved"
    value: float
    at: float


class Evaluator:
    def __init__(self, metrics: frozenset[str]) -> None:
        self.metrics = metrics
        self.loaded_at = -math.inf
        # subject -> metric -> rule id -> state, for rules that are not OK (pending or firing)
        self.states: dict[str, dict[str, dict[int, State]]] = defaultdict(lambda: defaultdict(dict))
        self.rules: dict[int, RuleSpec] = {}

    # --- loading ---------------------------------------------------------------------

    def reload_if_stale(self, now: float) -> None:
        if now - self.loaded_at >= RELOAD_EVERY_S:
            self.load(now)

    def load(self, now: float) -> None:
        rules = list(AlertRule.objects.filter(enabled=True, metric__in=self.metrics))
        self.rules = {
            r.id: RuleSpec(r.id, r.metric, r.comparison, r.threshold, r.recovery, r.for_seconds) for r in rules
        }
        self.scopes = {r.id: (r.scope, r.host_id, r.tag_id) for r in rules}
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
        for rule_id, subject, since, value in Alert.objects.filter(
            rule_id__in=self.rules, state=AlertState.FIRING
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
                for rule_id, (scope, rule_host, rule_tag) in self.scopes.items()
                if scope == Scope.ALL
                or (scope == Scope.HOST and rule_host == host_id)
                or (scope == Scope.TAG and rule_tag in tags)
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
        step = alert_rules.step
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
        self.reload_if_stale(now)
        transitions = self.evaluate(readings, now)
        if transitions:
            record(transitions)


# --- recording and announcing ------------------------------------------------------------


def recipients(rule: AlertRule) -> list[int]:
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(Q(alert_rules=rule) | Q(groups__alert_rules=rule)).distinct().values_list("pk", flat=True))


def describe(rule: AlertRule, label: str, kind: str, value: float) -> str:
    verb = "FIRING" if kind == FIRING else "resolved"
    return f"[{rule.severity}] {rule.name} {verb} on {label}: {rule.get_metric_display()} = {value:g}"[:500]


def alert_fields(alert: Alert, event: AlertEvent) -> dict:
    return {
        "id": alert.pk,
        "rule": alert.rule.name,
        "severity": alert.rule.severity,
        "subject": alert.subject_label,
        "state": alert.state,
        "value": alert.value,
        "since": alert.since.timestamp(),
        "message": event.message,
        "acknowledged_by": alert.acknowledged_by.get_username() if alert.acknowledged_by else None,
    }


def record(transitions: list[Transition]) -> list[int]:
    """Save each transition (alert state, event, notifications); announce after commit. Returns event ids."""
    close_old_connections()
    rules = AlertRule.objects.in_bulk({t.rule_id for t in transitions})
    announcements = []
    with transaction.atomic():
        for t in transitions:
            rule = rules.get(t.rule_id)
            if rule is None:
                continue  # deleted since it was loaded
            moment = datetime.fromtimestamp(t.at, UTC)
            alert, _ = Alert.objects.update_or_create(
                rule=rule,
                subject=t.subject,
                defaults={"subject_label": t.label, "state": t.kind, "value": t.value, "since": moment,
                          "acknowledged_by": None, "acknowledged_at": None},
            )  # fmt: skip
            event = AlertEvent.objects.create(
                alert=alert, kind=t.kind, value=t.value, message=describe(rule, t.label, t.kind, t.value)
            )
            users = recipients(rule)
            targets = NotificationTarget.objects.filter(user_id__in=users, enabled=True)
            Notification.objects.bulk_create(Notification(event=event, target=target) for target in targets)
            announcements.append(
                (users, event.pk, json.dumps({"type": "alert", "event": t.kind, "alert": alert_fields(alert, event)}))
            )
    transaction.on_commit(lambda: announce(announcements))
    return [event_id for _, event_id, _ in announcements]


def announce(announcements: list[tuple[list[int], int, str]]) -> None:
    """After commit: each recipient's browsers, then the notification task (best effort; a sweep
    re-sends what this hand-over loses)."""
    from monitor.tasks import send_event_notifications

    try:
        alert_publisher().publish([(user_group(u), text) for users, _, text in announcements for u in users])
    except Exception:
        logger.exception("could not announce %d alert events to browsers", len(announcements))
    for _, event_id, _ in announcements:
        try:
            send_event_notifications.delay(event_id)
        except Exception:
            logger.exception("could not queue notifications of event %s; the sweep will", event_id)


class AlertPublisher:
    """Sends alert frames from sync code through one long-lived event loop."""

    def __init__(self) -> None:
        self._loop = start_loop_thread("alert-publisher")
        self._layer = get_channel_layer()

    def publish(self, frames: list[tuple[str, str]], timeout: float = 5.0) -> None:
        future = asyncio.run_coroutine_threadsafe(self._send(frames), self._loop)
        future.result(timeout)

    async def _send(self, frames: list[tuple[str, str]]) -> None:
        await asyncio.gather(*(self._layer.group_send(g, {"type": "alert.frame", "text": t}) for g, t in frames))


@functools.cache
def alert_publisher() -> AlertPublisher:
    return AlertPublisher()


@functools.cache
def agent_evaluator() -> Evaluator:
    return Evaluator(AGENT_METRICS)


@functools.cache
def host_evaluator() -> Evaluator:
    return Evaluator(HOST_METRICS)


def evaluate_hosts(recorded) -> None:
    """Host metrics after a saved batch of check results (runs in the checks worker's writer thread)."""
    if not recorded.hosts:
        return
    host_ids = [host.id for host in recorded.hosts]
    latencies, losses, cert_days = defaultdict(list), defaultdict(list), defaultdict(list)
    checks = Check.objects.filter(host_id__in=host_ids, enabled=True).values_list(
        "host_id", "last_latency_ms", "last_loss_pct"
    )
    for host_id, latency, loss in checks:
        if latency is not None:
            latencies[host_id].append(latency)
        if loss is not None:
            losses[host_id].append(loss)
    for result in recorded.results:
        if (days := result.details.get("cert_days_left")) is not None:
            cert_days[result.host_id].append(days)
    readings = {
        f"host:{h.id}": (h.name, alert_rules.host_readings(h.status, latencies[h.id], losses[h.id], cert_days[h.id]))
        for h in recorded.hosts
    }
    host_evaluator().evaluate_and_record(readings)


# --- per-user views and acknowledgement ------------------------------------------------


def rules_of(user, prefix: str = "") -> Q:
    """Rows whose rule's alerts `user` receives (directly or through a group); `prefix` leads to the rule."""
    return Q(**{f"{prefix}rule__recipients": user}) | Q(**{f"{prefix}rule__recipient_groups__user": user})


def open_alerts_for(user) -> list[dict]:
    firing_events = Prefetch(
        "events", queryset=AlertEvent.objects.filter(kind=AlertEvent.Kind.FIRING), to_attr="firing_events"
    )
    alerts = (
        Alert.objects.filter(rules_of(user), state=AlertState.FIRING)
        .distinct()
        .select_related("rule", "acknowledged_by")
        .prefetch_related(firing_events)
        .order_by("-since")
    )
    # Events are ordered newest first: the message of the firing that opened the alert.
    return [alert_fields(alert, alert.firing_events[0]) for alert in alerts if alert.firing_events]


class NotYours(Exception):
    pass


def acknowledge(alert_id: int, user) -> None:
    """Mark a firing alert acknowledged by `user` and tell every recipient at once."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().select_related("rule").filter(pk=alert_id).first()
        if alert is None or user.pk not in recipients(alert.rule):
            raise NotYours("no such alert among yours")
        if alert.state != AlertState.FIRING:
            raise NotYours("only a firing alert can be acknowledged")
        if alert.acknowledged_by_id:
            return
        alert.acknowledged_by, alert.acknowledged_at = user, datetime.now(UTC)
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        message = f"{alert.rule.name} on {alert.subject_label} acknowledged by {user.get_username()}"
        event = AlertEvent.objects.create(alert=alert, kind=AlertEvent.Kind.ACKNOWLEDGED, by=user, message=message)
        users = recipients(alert.rule)
        text = json.dumps({"type": "alert", "event": "acknowledged", "alert": alert_fields(alert, event)})
    transaction.on_commit(lambda: alert_publisher().publish([(user_group(u), text) for u in users]))
