from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n.zones import local_text, validate_time_zone
from monitor.models import Check, Host, Tag

LOGO_TYPES = {"image/png", "image/svg+xml", "image/jpeg", "image/webp"}
LOGO_MAX_BYTES = 256 * 1024

domain_name = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "A domain name in lower case, such as status.example.org.",
)


class StatusPage(models.Model):
    """A page of chosen hosts that people outside the ops team can read: state, uptime, notices."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="Shown under the title.")
    public = models.BooleanField(
        default=False, help_text="Public: anyone can read it, no login. Off: signed-in users only."
    )
    hosts = models.ManyToManyField(Host, blank=True, related_name="status_pages")
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="status_pages", help_text="Each tag is a section listing its hosts."
    )
    hosts_heading = models.CharField(
        max_length=80, default="Services", help_text="The heading of the section of hosts chosen one by one."
    )
    show_reasons = models.BooleanField(
        default=False,
        help_text="Show why a host is DOWN (its checks' error texts, secrets masked). Off: the state only.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], help_text="The days of the uptime bars."
    )
    domain = models.CharField(
        max_length=253, blank=True, null=True, unique=True, validators=[domain_name],
        help_text="Optional: requests for this domain (add it to ALLOWED_HOSTS) get this page at /.",
    )  # fmt: skip
    logo = models.BinaryField(blank=True, null=True, editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.domain = self.domain or None  # unique, so "no domain" is NULL rather than ""
        super().save(*args, **kwargs)


class NoticeKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    MAINTENANCE = "maintenance", _("Maintenance")


class Notice(models.Model):
    """An incident or a maintenance note an operator writes on a status page."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind, default=NoticeKind.INCIDENT)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: still going on.")

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A notice must end after it starts."})


class UptimeHour(models.Model):
    """Seconds of one check's slots in one UTC hour, by state: the ledger uptime is read from.

    Each result counts its check's interval as seconds of its state (monitor.results
    saves it, status.ledger counts it in the same transaction). Results inside a
    maintenance window count as maintenance. Time with no result is not stored: it is
    what the period lacks (status.uptime).
    """

    host_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    opened_at = models.DateTimeField(help_text="The first counted result's start.")
    up_s = models.FloatField(default=0)
    degraded_s = models.FloatField(default=0)
    down_s = models.FloatField(default=0)
    maintenance_s = models.FloatField(default=0)
    latency_ms_sum = models.FloatField(default=0)
    latency_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host_check", "hour"], name="one_uptime_row_per_check_hour")]
        indexes = [models.Index(fields=["host", "hour"]), models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"check {self.host_check_id} @ {local_text(self.hour)}"
