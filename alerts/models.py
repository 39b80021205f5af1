from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts import rules
from core.contracts.metrics import ALERT_METRIC_BY_NAME, ALERT_METRICS
from monitor.models import Host, Tag

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


class AlertState(models.TextChoices):
    """The states of the rule state machine (alerts.rules), as stored."""

    OK = rules.OK, _("Ok")
    PENDING = rules.PENDING, _("Pending")
    FIRING = rules.FIRING, _("Firing")
    RESOLVED = rules.RESOLVED, _("Resolved")


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

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    value = models.FloatField(null=True)
    message = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

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
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"
