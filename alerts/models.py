import ipaddress
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts import rules
from core.contracts.metrics import ALERT_METRIC_BY_NAME, ALERT_METRICS
from core.i18n.zones import local_text
from monitor.models import Host, Tag
from oncall.models import EscalationPolicy, Team

# What a rule may watch: the alert metrics of the catalogue (core.contracts.metrics).
METRIC_CHOICES = [(metric.name, metric.label) for metric in ALERT_METRICS]


class Comparison(models.TextChoices):
    ABOVE = ">", _("above (>)")
    AT_LEAST = ">=", _("at least (≥)")
    BELOW = "<", _("below (<)")
    AT_MOST = "<=", _("at most (≤)")


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class Scope(models.TextChoices):
    ALL = "all", _("all hosts")
    HOST = "host", _("one host")
    TAG = "tag", _("hosts with a tag")
    AGENT = "agnt", _("one agent")


SYSLOG_SEVERITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"]


def validate_pattern(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValidationError(f"Not a regular expression: {error}") from None


class AlertRule(models.Model):
    """When a metric of a host in scope passes a threshold for long enough, its recipients hear of it.

    Agent metrics apply to agents; an agent is in a host or tag scope when a
    monitored host of the same name is.
    """

    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    scope = models.CharField(max_length=4, choices=Scope, default=Scope.ALL)
    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_rules")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_rules")
    agent = models.CharField(max_length=255, blank=True, help_text="The agent's name, for the scope “one agent”.")
    metric = models.CharField(max_length=20, choices=METRIC_CHOICES)
    comparison = models.CharField(max_length=2, choices=Comparison, default=Comparison.ABOVE)
    threshold = models.FloatField()
    recovery_threshold = models.FloatField(
        null=True, blank=True, help_text="Resolves only past this value (hysteresis). Empty: the threshold."
    )
    for_seconds = models.PositiveIntegerField(
        "for (s)", default=0, help_text="Fires only when the condition has held this long.",
        validators=[MaxValueValidator(86_400, "At most a day (86400 s).")],
    )  # fmt: skip
    severity = models.CharField(max_length=8, choices=Severity, default=Severity.WARNING)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="alert_rules")
    recipient_groups = models.ManyToManyField("auth.Group", blank=True, related_name="alert_rules")
    # Every member of these teams hears of the rule's alerts, as a recipient does (alerts.audience).
    recipient_teams = models.ManyToManyField(Team, blank=True, related_name="alert_rules")
    escalation_policy = models.ForeignKey(
        EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="alert_rules",
        help_text="Who is told of a firing alert, level after level, until someone acknowledges it.",
    )  # fmt: skip

    class Meta:
        db_table = "monitor_alertrule"  # these tables were made when alerts were part of monitor
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def recovery(self) -> float:
        return self.threshold if self.recovery_threshold is None else self.recovery_threshold

    def clean(self) -> None:
        errors = {}
        if self.scope == Scope.HOST and not self.host_id:
            errors["host"] = "Choose the host this rule watches."
        if self.scope == Scope.TAG and not self.tag_id:
            errors["tag"] = "Choose the tag of the hosts this rule watches."
        if self.scope != Scope.HOST and self.host_id:
            errors["host"] = "A host is only chosen for the scope “one host”."
        if self.scope != Scope.TAG and self.tag_id:
            errors["tag"] = "A tag is only chosen for the scope “hosts with a tag”."
        errors.update(self._agent_problems())
        if self.recovery_threshold is not None and self.comparison:
            rising = self.comparison in (Comparison.ABOVE, Comparison.AT_LEAST)
            if rising and self.recovery_threshold > self.threshold:
                errors["recovery_threshold"] = (
                    "For an “above” rule the recovery threshold cannot be above the threshold."
                )
            if not rising and self.recovery_threshold < self.threshold:
                errors["recovery_threshold"] = (
                    "For a “below” rule the recovery threshold cannot be below the threshold."
                )
        watched = ALERT_METRIC_BY_NAME.get(self.metric)
        if watched and watched.percent and self.threshold is not None and not 0 <= self.threshold <= 100:
            errors["threshold"] = "A percentage threshold is from 0 to 100."
        if errors:
            raise ValidationError(errors)

    def _agent_problems(self) -> dict[str, str]:
        if self.scope != Scope.AGENT:
            return {"agent": "An agent is only named for the scope “one agent”."} if self.agent else {}
        if not self.agent:
            return {"agent": "Name the agent this rule watches."}
        watched = ALERT_METRIC_BY_NAME.get(self.metric)
        if watched and watched.subject != "agent":
            return {"metric": "The scope “one agent” watches an agent's metrics: pick one marked (agent)."}
        return {}


class EventCondition(models.Model):
    """What a rule on the metric "network_events" counts (alerts.event_rules): the events of devices
    in its scope that match all of these; the rule fires when `threshold` of them fall within
    `window_s`, and an event named `clearing_trap_name` resolves it."""

    rule = models.OneToOneField(AlertRule, on_delete=models.CASCADE, related_name="event_condition")
    max_severity = models.PositiveSmallIntegerField(
        "severity", null=True, blank=True, choices=[(n, label) for n, label in enumerate(SYSLOG_SEVERITIES)],
        help_text="This severity or graver. Empty: any.",
    )  # fmt: skip
    trap_name = models.CharField(max_length=128, blank=True, help_text="Part of the trap's name, e.g. linkDown.")
    text_pattern = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_pattern],
        help_text="A regular expression searched in the text.",
    )
    window_s = models.PositiveIntegerField(
        "window (s)", default=60, validators=[MinValueValidator(1), MaxValueValidator(86_400)]
    )
    clearing_trap_name = models.CharField(
        max_length=128, blank=True, help_text="An event with this in its trap name resolves the alert, e.g. linkUp."
    )

    def __str__(self) -> str:
        return f"events of {self.rule}"


def validate_network(text: str) -> None:
    try:
        ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValidationError("Not an address or prefix, e.g. 198.18.0.7 or 2001:db8::/32.") from None


class FlowCondition(models.Model):
    """What a rule on the metric "flow_bps" counts (alerts.flow_rules): per minute, the flow traffic of
    a device in its scope from or to `network` and on `port`; the rule fires when that rate is
    above `threshold` bit/s and resolves when it falls back to its recovery threshold."""

    class Direction(models.TextChoices):
        EITHER = "either", _("from or to")
        FROM = "from", _("from")
        TO = "to", _("to")

    rule = models.OneToOneField(AlertRule, on_delete=models.CASCADE, related_name="flow_condition")
    network = models.CharField(
        "address or prefix", max_length=64, blank=True, validators=[validate_network],
        help_text="e.g. 198.18.0.7 or 198.18.0.0/15. Empty: any address.",
    )  # fmt: skip
    direction = models.CharField(max_length=6, choices=Direction, default=Direction.EITHER)
    port = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(65_535)], help_text="Either end's port. Empty: any."
    )
    if_index = models.PositiveIntegerField(
        "interface (ifIndex)", null=True, blank=True, help_text="Flows in or out of this port only. Empty: any."
    )

    def __str__(self) -> str:
        return f"flows of {self.rule}"


class AlertState(models.TextChoices):
    """The states of the rule state machine (alerts.rules), as stored."""

    OK = rules.OK, _("Ok")
    PENDING = rules.PENDING, _("Pending")
    FIRING = rules.FIRING, _("Firing")
    RESOLVED = rules.RESOLVED, _("Resolved")
    # Firing, but its host is cut off behind a DOWN parent (alerts.suppression): nobody is notified.
    HELD = "held", _("Held")


class Alert(models.Model):
    """One rule about one subject ("agent:<name>" or "host:<id>"): its current state."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=300)
    subject_label = models.CharField(max_length=255)
    state = models.CharField(max_length=8, choices=AlertState, default=AlertState.OK)
    value = models.FloatField(null=True)
    since = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "monitor_alert"
        permissions = [("acknowledge_alert", "Can acknowledge alerts it receives")]
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], name="one_alert_per_rule_and_subject")]
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.rule} · {self.subject_label}: {self.state}"


class AlertEvent(models.Model):
    class Kind(models.TextChoices):
        FIRING = "firing", _("Firing")
        RESOLVED = "resolved", _("Resolved")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        HELD = "held", _("Held")
        NOTIFIED = "notified", _("Told")  # an escalation level told `to` of the firing alert

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    value = models.FloatField(null=True)
    message = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)  # of the escalation that told `to`
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Root cause (alerts.suppression): the DOWN parent a held alert's host is unreachable via,
    # and on a cause's firing event how many hosts are held behind it.
    via = models.CharField(max_length=255, blank=True)
    behind = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "monitor_alertevent"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class NotificationTarget(models.Model):
    """Where a user wants alerts sent besides the browser: an Apprise URL (mailto://, slack://, json://…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_targets")
    url = models.CharField("Apprise URL", max_length=1000)
    label = models.CharField(max_length=100, blank=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        db_table = "monitor_notificationtarget"

    def __str__(self) -> str:
        return self.label or self.url.split("://", 1)[0] + "://…"

    def clean(self) -> None:
        from alerts import target_rules  # Apprise loads its plugins on first use: not at every import of the models

        if self.user_id and (problem := target_rules.problem(self.url, self.user)):
            raise ValidationError({"url": problem})


class Notification(models.Model):
    """One event to one target; sent by a Celery task, retried, every attempt recorded."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # gave up after the last retry

    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="notifications")
    target = models.ForeignKey(NotificationTarget, on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # When the next attempt is due; the sweep re-queues a pending notification well past it.
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "monitor_notification"
        constraints = [models.UniqueConstraint(fields=["event", "target"], name="one_notification_per_target")]

    def __str__(self) -> str:
        return f"{self.event} → {self.target}: {self.status}"


class NotificationAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "monitor_notificationattempt"
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{local_text(self.at, '%Y-%m-%d %H:%M:%S')} {'ok' if self.ok else self.error}"


class Escalation(models.Model):
    """A firing alert going through its rule's escalation policy: the next level is told at `due_at`."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Escalating")
        STOPPED = "stopped", _("Stopped")  # acknowledged or resolved
        DONE = "done", _("Every level told")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="escalations")
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State, default=State.ACTIVE, db_index=True)
    next_level = models.PositiveSmallIntegerField(default=0)  # index into the policy's levels
    round = models.PositiveSmallIntegerField(default=0)  # 0, then one more per repeat
    due_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.alert}: {self.state}, level {self.next_level + 1} due {local_text(self.due_at, '%H:%M:%S')}"
