from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n.zones import local_text
from core.security.secrets import decrypt, encrypt
from monitor import checks
from monitor.addresses import validate_address
from monitor.checks.base import CheckKind, CheckSpec


def between(low: float, high: float, too_low: str, too_high: str | None = None) -> list:
    """Validators for a value from `low` to `high`, each bound with its message."""
    return [MinValueValidator(low, too_low), MaxValueValidator(high, too_high or too_low)]


class Status(models.TextChoices):
    UP = "up", _("UP")
    DEGRADED = "degraded", _("DEGRADED")
    DOWN = "down", _("DOWN")
    PAUSED = "paused", _("PAUSED")
    PENDING = "pending", _("PENDING")  # enabled, no result yet
    # Run from sites whose probes are all offline: nothing is known of the target.
    UNKNOWN = "unknown", _("UNKNOWN")


class ResultStatus(models.TextChoices):
    """What one run of a check found, or that its slot passed without a run."""

    UP = Status.UP.value, Status.UP.label
    DEGRADED = Status.DEGRADED.value, Status.DEGRADED.label
    DOWN = Status.DOWN.value, Status.DOWN.label
    # The checks worker that claimed the slot stopped before reporting it, or none took it
    # in time (monitor.missed). Neither a state nor an outage: uptime and rules skip it.
    MISSED = "missed", _("MISSED")


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True, help_text="Letters, digits, hyphens and underscores.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place checks run from: the centre's workers, or a probe at a branch office."""

    name = models.SlugField(max_length=63, unique=True, help_text="Letters, digits, hyphens and underscores.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Host(models.Model):
    """A machine or service that workers check from the outside."""

    name = models.CharField(max_length=100, unique=True)
    address = models.CharField(
        max_length=253, validators=[validate_address], help_text="IPv4/IPv6 address or DNS hostname."
    )
    enabled = models.BooleanField(default=True, help_text="Disabled hosts are PAUSED: none of their checks run.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="hosts")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosts", help_text="Where the host is."
    )
    notes = models.TextField(blank=True)

    # Derived from the latest result of each enabled check (monitor.state).
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, editable=False, db_index=True)
    status_changed_at = models.DateTimeField(null=True, editable=False)
    last_latency_ms = models.FloatField(null=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.settle_status() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "status", "status_changed_at"}
        super().save(*args, **kwargs)

    def settle_status(self) -> bool:
        """PAUSED when disabled, PENDING when enabled again; True when the status changed.
        Called by save(), and by bulk writes that bypass it."""
        paused = self.status == Status.PAUSED
        if self.enabled != paused:
            return False
        self.status = Status.PENDING if self.enabled else Status.PAUSED
        self.status_changed_at = timezone.now()
        return True


RUN_CHECK = "monitor.run_check"  # the permission to run a check now (operators)


class CheckSettingsField(models.JSONField):
    """A check's settings as a JSON object; the secret ones (Setting.secret) encrypted at rest."""

    def from_db_value(self, value, expression, connection):
        values = super().from_db_value(value, expression, connection)
        if isinstance(values, dict):
            for name in checks.secret_names() & values.keys():
                values[name] = decrypt(values[name] or "")
        return values

    def get_prep_value(self, value):
        if isinstance(value, dict):
            value = {name: encrypt(v) if name in checks.secret_names() and v else v for name, v in value.items()}
        return super().get_prep_value(value)


def setting_attribute(name: str) -> property:
    """`check.<name>` reads and writes one setting: the kind's default when it is not set."""

    def read(check):
        if name in check.settings:
            return check.settings[name]
        declared = check.kind_spec.defaults() if check.kind in checks.kinds() else {}
        return declared.get(name, checks.all_settings()[name].default)

    def write(check, value) -> None:
        check.settings = {**check.settings, name: value}  # a copy: copies of the check keep their own

    return property(read, write, doc=f"The check's {name} setting.")


class Check(models.Model):
    """One active check of a host, run every `interval_s` seconds by a checks worker."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=4, choices=checks.choices)
    enabled = models.BooleanField(default=True)
    interval_s = models.PositiveIntegerField(
        "interval (s)",
        default=60,
        validators=between(
            5, 86_400, "Checks run at most every 5 seconds.", "Checks run at least once a day (86400 s)."
        ),
    )
    timeout_s = models.FloatField(
        "timeout (s)",
        default=5.0,
        validators=between(0.1, 60, "The timeout must be at least 0.1 s.", "The timeout can be at most 60 s."),
    )
    degraded_latency_ms = models.FloatField(
        "degraded above (ms)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "A latency threshold cannot be negative.")],
        help_text="A result slower than this is DEGRADED. Empty: never.",
    )
    degraded_loss_pct = models.FloatField(
        "degraded above loss (%)",
        null=True,
        blank=True,
        validators=between(0, 100, "Loss is a percentage from 0 to 100."),
        help_text="Ping only: more packet loss than this is DEGRADED (100% loss is DOWN).",
    )

    # Empty: the centre's checks workers run it. Else the probe of each site runs it, and
    # it is DOWN only when at least `quorum` of them find it down (default: a majority).
    sites = models.ManyToManyField(
        Site, blank=True, related_name="checks", help_text="Run by these sites' probes instead of the centre."
    )
    quorum = models.PositiveSmallIntegerField(
        "down when sites agree",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "At least one site must find it down.")],
        help_text="How many sites must find it DOWN for it to be DOWN. Empty: more than half of them.",
    )

    # The kind's settings (monitor.checks.<kind>: port, URL, SNMP credentials, ...), checked
    # against the kind's declarations; each one also reads and writes as an attribute (below).
    settings = CheckSettingsField(default=dict, blank=True)

    # Scheduling: the dispatcher claims a check when this is due and moves it on.
    next_run_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    # The latest result.
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING, editable=False)
    status_changed_at = models.DateTimeField(null=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, editable=False)
    last_latency_ms = models.FloatField(null=True, editable=False)
    last_loss_pct = models.FloatField(null=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["host__name", "kind", "id"]
        permissions = [("run_check", "Can run a check now")]

    def __str__(self) -> str:
        return f"{self.host} · {self.describe()}"

    def save(self, *args, **kwargs):
        if self.kind in checks.kinds():  # exactly the kind's settings: a changed kind leaves none behind
            self.settings = self.kind_spec.normalized(self.settings)
        super().save(*args, **kwargs)

    @property
    def kind_spec(self) -> CheckKind:
        return checks.kind(self.kind)

    def describe(self) -> str:
        """What is checked, in a few words: `tcp :22`, `http GET https://…`, `dns A example.org`."""
        return self.kind_spec.describe(self)

    def spec(self, due: float) -> CheckSpec:
        """The check as its runner takes it, for the slot at `due`."""
        options = self.kind_spec.normalized(self.settings)
        return CheckSpec(self.id, self.host_id, self.kind, self.host.address, self.timeout_s, due, options)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.interval_s and self.timeout_s and self.timeout_s >= self.interval_s:
            errors["timeout_s"] = f"The timeout must be shorter than the interval ({self.interval_s} s)."
        if self.kind in checks.kinds():
            # The kind's own rules read the settings as typed: only once each one fits its declaration.
            errors.update(self.kind_spec.setting_problems(self.settings) or self.kind_spec.validate(self))
            if not self.kind_spec.measures_loss and self.degraded_loss_pct is not None:
                errors["degraded_loss_pct"] = "Only ping checks measure packet loss."
        if errors:
            raise ValidationError(errors)


# Every kind's settings as attributes, so that Check(kind="tcp", port=22) and check.port work.
for _name in checks.all_settings():
    setattr(Check, _name, setting_attribute(_name))


class CheckResult(models.Model):
    """One run of one check."""

    # Not "check": a field of that name would hide Model.check(), Django's system checks.
    host_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="results")
    # The site whose probe ran it; empty for the centre's workers.
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="results")
    # The slot the dispatcher (or the site's probe) ran; unique per check and site, so a run is never recorded twice.
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=ResultStatus)
    latency_ms = models.FloatField(null=True)
    loss_pct = models.FloatField(null=True)
    jitter_ms = models.FloatField(null=True)
    error = models.CharField(max_length=500, blank=True)
    # Kind-specific figures: rtt min/max and method (ping), HTTP status and
    # certificate days left, DNS answers.
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["host_check", "scheduled_at"], condition=models.Q(site=None), name="one_result_per_slot"
            ),
            models.UniqueConstraint(
                fields=["host_check", "site", "scheduled_at"],
                condition=models.Q(site__isnull=False),
                name="one_result_per_site_slot",
            ),
        ]
        indexes = [models.Index(fields=["host", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.host_check} @ {local_text(self.started_at, '%Y-%m-%d %H:%M:%S')}: {self.status}"

    @property
    def passed(self) -> bool:
        """UP or DEGRADED: the target answered as it should."""
        return self.status != Status.DOWN


class ClaimedSlot(models.Model):
    """A slot the dispatcher handed to the checks workers and no result has answered yet.

    Written in the claiming transaction and deleted in the one that saves the slot's
    result, so a claim whose worker died is still known: past `deadline` it is recorded
    as a missed result (monitor.missed).
    """

    host_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="claims")
    slot = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host_check", "slot"], name="one_claim_per_slot")]

    def __str__(self) -> str:
        return f"{self.host_check} @ {local_text(self.slot, '%Y-%m-%d %H:%M:%S')}"


class MaintenanceWindow(models.Model):
    """No alert fires for a host, or the hosts with a tag, during the window."""

    host = models.ForeignKey(Host, null=True, blank=True, on_delete=models.CASCADE, related_name="maintenance")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="maintenance")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.host or self.tag}: {local_text(self.starts_at)} to {local_text(self.ends_at)}"

    def clean(self) -> None:
        if not self.host_id and not self.tag_id:
            raise ValidationError("Choose a host or a tag to silence.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The window must end after it starts."})


class HostImport(models.Model):
    """A CSV import too large to run inside the upload's request: a worker runs it
    (monitor.tasks.import_hosts) and records its progress and report here."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"

    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    text = models.TextField(blank=True)  # the file; emptied once imported
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)  # created, updated, checks_added, errors: [[line, message], ...]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.state})"


# Django loads an app's models from <app>.models: the device models live in their own
# package (monitor.devices) and are registered from here, as monitor.models.Device etc.
from monitor.devices.models import (  # noqa: F401, E402
    AddressEntry,
    Device,
    ForwardingEntry,
    Interface,
    Neighbour,
    RoutingSession,
)  # fmt: skip
