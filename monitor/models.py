import hashlib
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone

from monitor.addresses import validate_address, validate_dns_name, validate_dns_server


class Status(models.TextChoices):
    UP = "up", "UP"
    DEGRADED = "degraded", "DEGRADED"
    DOWN = "down", "DOWN"
    PAUSED = "paused", "PAUSED"
    PENDING = "pending", "PENDING"  # enabled, no result yet


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True, help_text="Letters, digits, hyphens and underscores.")

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
        paused = self.status == Status.PAUSED
        if self.enabled == paused:  # enabled and PAUSED, or disabled and not PAUSED
            self.status = Status.PENDING if self.enabled else Status.PAUSED
            self.status_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "status", "status_changed_at"}
        super().save(*args, **kwargs)


class CheckKind(models.TextChoices):
    PING = "ping", "ping (ICMP echo)"
    TCP = "tcp", "TCP connect"
    HTTP = "http", "HTTP(S)"
    DNS = "dns", "DNS lookup"


class HttpMethod(models.TextChoices):
    GET = "GET"
    HEAD = "HEAD"
    POST = "POST"


class DnsRecordType(models.TextChoices):
    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    NS = "NS"
    TXT = "TXT"


class Check(models.Model):
    """One active check of a host, run every `interval_s` seconds by a checks worker."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=4, choices=CheckKind)
    enabled = models.BooleanField(default=True)
    interval_s = models.PositiveIntegerField(
        "interval (s)",
        default=60,
        validators=[
            MinValueValidator(5, "Checks run at most every 5 seconds."),
            MaxValueValidator(86_400, "Checks run at least once a day (86400 s)."),
        ],
    )
    timeout_s = models.FloatField(
        "timeout (s)",
        default=5.0,
        validators=[
            MinValueValidator(0.1, "The timeout must be at least 0.1 s."),
            MaxValueValidator(60, "The timeout can be at most 60 s."),
        ],
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
        validators=[
            MinValueValidator(0, "Loss is a percentage from 0 to 100."),
            MaxValueValidator(100, "Loss is a percentage from 0 to 100."),
        ],
        help_text="Ping only: more packet loss than this is DEGRADED (100% loss is DOWN).",
    )

    # ping
    ping_count = models.PositiveSmallIntegerField(
        "echo requests",
        default=5,
        validators=[
            MinValueValidator(1, "Send at least one echo request."),
            MaxValueValidator(100, "Send at most 100 echo requests."),
        ],
    )
    # tcp; also the port a ping falls back to when ICMP is not allowed
    port = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, "A port is a number from 1 to 65535."),
            MaxValueValidator(65_535, "A port is a number from 1 to 65535."),
        ],
        help_text="TCP: the port to connect to. Ping: the port of the TCP fallback (default 80).",
    )
    # http
    url = models.CharField("URL", max_length=2000, blank=True)
    http_method = models.CharField("method", max_length=4, choices=HttpMethod, default=HttpMethod.GET)
    expected_status = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(100, "An HTTP status is from 100 to 599."),
            MaxValueValidator(599, "An HTTP status is from 100 to 599."),
        ],
        help_text="Empty: any 2xx or 3xx status is UP.",
    )
    keyword = models.CharField(max_length=200, blank=True, help_text="Text the body must contain (first 1 MiB).")
    follow_redirects = models.BooleanField(default=True)
    verify_tls = models.BooleanField(
        "verify TLS certificate", default=True, help_text="Off: self-signed certificates are accepted."
    )
    # dns
    dns_name = models.CharField(
        "name to resolve",
        max_length=253,
        blank=True,
        validators=[validate_dns_name],
        help_text="Empty: the host's address.",
    )
    dns_record_type = models.CharField("record type", max_length=5, choices=DnsRecordType, default=DnsRecordType.A)
    dns_server = models.CharField(
        "DNS server",
        max_length=60,
        blank=True,
        validators=[validate_dns_server],
        help_text="IP[:port]; empty: the system resolver.",
    )

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

    def __str__(self) -> str:
        return f"{self.host} · {self.describe()}"

    def describe(self) -> str:
        """What is checked, in a few words: `tcp :22`, `http GET https://…`, `dns A example.org`."""
        if self.kind == CheckKind.TCP:
            return f"tcp :{self.port}"
        if self.kind == CheckKind.HTTP:
            return f"http {self.http_method} {self.url}"
        if self.kind == CheckKind.DNS:
            server = f" @{self.dns_server}" if self.dns_server else ""
            return f"dns {self.dns_record_type} {self.dns_name or (self.host.address if self.host_id else '')}{server}"
        return f"ping x{self.ping_count}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.interval_s and self.timeout_s and self.timeout_s >= self.interval_s:
            errors["timeout_s"] = f"The timeout must be shorter than the interval ({self.interval_s} s)."
        if self.kind == CheckKind.TCP and not self.port:
            errors["port"] = "A TCP check needs a port."
        if self.kind == CheckKind.HTTP:
            if not self.url:
                errors["url"] = "An HTTP check needs a URL."
            elif message := url_problem(self.url):
                errors["url"] = message
        if self.kind != CheckKind.PING and self.degraded_loss_pct is not None:
            errors["degraded_loss_pct"] = "Only ping checks measure packet loss."
        if errors:
            raise ValidationError(errors)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be checked, or None when it can."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return "The URL must start with http:// or https://."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return f"“{url[:100]}” is not a valid URL."
    return None


class CheckResult(models.Model):
    """One run of one check."""

    # Not "check": a field of that name would hide Model.check(), Django's system checks.
    host_check = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="results")
    # The slot the dispatcher claimed; unique per check, so a run is never recorded twice.
    scheduled_at = models.DateTimeField()
    started_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status)
    latency_ms = models.FloatField(null=True)
    loss_pct = models.FloatField(null=True)
    jitter_ms = models.FloatField(null=True)
    error = models.CharField(max_length=500, blank=True)
    # Kind-specific figures: rtt min/max and method (ping), HTTP status and
    # certificate days left, DNS answers.
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["host_check", "scheduled_at"], name="one_result_per_slot")]
        indexes = [models.Index(fields=["host", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.host_check} @ {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status}"


class ChatRoom(models.Model):
    """A chat room, made when someone first joins it by name. Any text is a valid name."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(default=False, help_text="An archived room keeps its history and takes no messages.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def group(self) -> str:
        """The channel-layer group: from the id, never from the name people typed."""
        return f"chat.room.{self.pk}"


class ChatMessage(models.Model):
    MAX_LENGTH = 2000

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages")
    text = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["room", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.author} in {self.room}: {self.text[:50]}"


# --- Alerts ---------------------------------------------------------------------------


class Metric(models.TextChoices):
    CPU = "cpu_percent", "CPU % (agent)"
    MEMORY = "mem_percent", "memory % (agent)"
    DISK = "disk_percent", "disk %, fullest mount (agent)"
    IFACE_ERRORS = "iface_errors_ps", "interface errors/s, all interfaces (agent)"
    IFACE_DROPS = "iface_drops_ps", "interface drops/s, all interfaces (agent)"
    THROUGHPUT = "throughput_bps", "throughput bit/s, busiest interface (agent)"
    CHECK_LATENCY = "check_latency_ms", "check latency ms, slowest check (host)"
    LOSS = "loss_pct", "packet loss % (host, ping)"
    HOST_DOWN = "host_down", "host DOWN: 1 when DOWN, else 0 (host)"
    CERT_DAYS = "cert_days_left", "certificate days left, soonest (host, https)"


AGENT_METRICS = frozenset(
    {Metric.CPU, Metric.MEMORY, Metric.DISK, Metric.IFACE_ERRORS, Metric.IFACE_DROPS, Metric.THROUGHPUT}
)
HOST_METRICS = frozenset({Metric.CHECK_LATENCY, Metric.LOSS, Metric.HOST_DOWN, Metric.CERT_DAYS})


class Comparison(models.TextChoices):
    ABOVE = ">", "above (>)"
    AT_LEAST = ">=", "at least (≥)"
    BELOW = "<", "below (<)"
    AT_MOST = "<=", "at most (≤)"


class Severity(models.TextChoices):
    WARNING = "warning"
    CRITICAL = "critical"


class Scope(models.TextChoices):
    ALL = "all", "all hosts"
    HOST = "host", "one host"
    TAG = "tag", "hosts with a tag"


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
    metric = models.CharField(max_length=20, choices=Metric)
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
        if self.metric in (Metric.CPU, Metric.MEMORY, Metric.DISK, Metric.LOSS) and not 0 <= self.threshold <= 100:
            errors["threshold"] = "A percentage threshold is from 0 to 100."
        if errors:
            raise ValidationError(errors)


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
        return f"{self.host or self.tag}: {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if not self.host_id and not self.tag_id:
            raise ValidationError("Choose a host or a tag to silence.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The window must end after it starts."})


class AlertState(models.TextChoices):
    OK = "ok"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


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
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], name="one_alert_per_rule_and_subject")]
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.rule} · {self.subject_label}: {self.state}"


class AlertEvent(models.Model):
    class Kind(models.TextChoices):
        FIRING = "firing"
        RESOLVED = "resolved"
        ACKNOWLEDGED = "acknowledged"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind)
    value = models.FloatField(null=True)
    message = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class NotificationTarget(models.Model):
    """Where a user wants alerts sent besides the browser: an Apprise URL (mailto://, slack://, json://…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_targets")
    url = models.CharField("Apprise URL", max_length=1000)
    label = models.CharField(max_length=100, blank=True)
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.label or self.url.split("://", 1)[0] + "://…"

    def clean(self) -> None:
        import apprise

        if not apprise.Apprise().add(self.url):
            raise ValidationError({"url": "Apprise does not understand this URL (see the Apprise documentation)."})


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
        constraints = [models.UniqueConstraint(fields=["event", "target"], name="one_notification_per_target")]

    def __str__(self) -> str:
        return f"{self.event} → {self.target}: {self.status}"


class NotificationAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error}"


class ApiToken(models.Model):
    """A secret for the REST API and /metrics, acting as its user.

    Only a SHA-256 digest is stored: the token is shown once, when it is made.
    A read-only token can list and read; writing also needs a staff user.
    """

    PREFIX = "nwm_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “prometheus” or “provisioning script”.")
    read_only = models.BooleanField(default=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters, to tell tokens apart."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user__username", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def generate(self) -> str:
        """Give this token a new secret and return it; only its digest is kept."""
        secret = self.PREFIX + secrets.token_urlsafe(32)
        self.digest = self.hash(secret)
        self.hint = secret[: len(self.PREFIX) + 4]
        return secret
