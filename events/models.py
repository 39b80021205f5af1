"""Network events as devices send them (SNMP traps and syslog), and who may send them.

Rows are written in batches by the receiver process (events.writer); the pages and the
API read them. TrapUser holds SNMPv3 secrets encrypted at rest and never shown back.
"""

from django.db import models
from django.utils import timezone

from core.security.secrets import EncryptedCharField
from monitor.models import Host


class Kind(models.TextChoices):
    TRAP = "trap", "SNMP trap"
    SYSLOG = "syslog", "syslog"


class Severity(models.IntegerChoices):
    """Syslog's severities (RFC 5424); a trap's is set by its kind (events.severities)."""

    EMERGENCY = 0, "emergency"
    ALERT = 1, "alert"
    CRITICAL = 2, "critical"
    ERROR = 3, "error"
    WARNING = 4, "warning"
    NOTICE = 5, "notice"
    INFORMATIONAL = 6, "informational"
    DEBUG = 7, "debug"


class Event(models.Model):
    """One trap or syslog message. `device` is None for a source that is no known device."""

    device = models.ForeignKey(Host, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    source = models.GenericIPAddressField()
    kind = models.CharField(max_length=6, choices=Kind)
    severity = models.PositiveSmallIntegerField(choices=Severity, default=Severity.NOTICE)
    facility = models.PositiveSmallIntegerField(null=True, blank=True)  # syslog only
    app = models.CharField(max_length=64, blank=True)  # syslog APP-NAME / TAG
    trap_oid = models.CharField(max_length=255, blank=True)
    # e.g. IF-MIB::linkDown; no index: it is searched by a part of it, which no B-tree helps
    trap_name = models.CharField(max_length=128, blank=True)
    varbinds = models.JSONField(default=list, blank=True)  # [[name or OID, value as text], ...]
    text = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["device", "-received_at"], name="event_device_recent")]

    def __str__(self) -> str:
        return f"{self.source} {self.trap_name or self.app}: {self.text[:60]}"

    def live_fields(self) -> dict:
        """As the "events" frame carries it (events.received.Received.live_fields)."""
        return {"ts": self.received_at.timestamp(), "kind": self.kind, "severity": self.severity,
                "facility": self.facility, "source": self.source,
                "name": self.trap_name or self.trap_oid or self.app, "text": self.text}  # fmt: skip


class UnknownSource(models.Model):
    """An address that sent events but is no device: listed with a count, to be added as one."""

    address = models.GenericIPAddressField(unique=True)
    count = models.PositiveBigIntegerField(default=0)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.address} ({self.count})"


class SourceMapping(models.Model):
    """Events from `address` belong to `device`: for devices whose packets arrive through NAT."""

    address = models.GenericIPAddressField(unique=True)
    device = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="event_sources")

    def __str__(self) -> str:
        return f"{self.address} → {self.device}"


class TrapUser(models.Model):
    """An SNMPv3 USM user a device sends traps and informs as (authPriv). Secrets write-only."""

    AUTH_PROTOCOLS = (("SHA", "SHA"), ("SHA-256", "SHA-256"))
    PRIV_PROTOCOLS = (("AES", "AES-128"), ("AES-256", "AES-256"))

    device = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="trap_users")
    user = models.CharField(max_length=100)
    # The sender's snmpEngineID in hex (traps: the device's own; informs are learnt, may stay empty).
    engine_id = models.CharField(max_length=64, blank=True)
    auth_protocol = models.CharField(max_length=8, choices=AUTH_PROTOCOLS, default="SHA-256")
    auth_password = EncryptedCharField(blank=True, help_text="Write-only: never shown back.")
    priv_protocol = models.CharField(max_length=8, choices=PRIV_PROTOCOLS, default="AES")
    priv_password = EncryptedCharField(blank=True, help_text="Write-only: never shown back.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "engine_id"], name="one_trap_user_per_engine")]

    def __str__(self) -> str:
        return f"{self.user} ({self.device})"


class VendorMib(models.Model):
    """A MIB an administrator uploaded; compiled on upload, its errors kept to be shown."""

    name = models.CharField(max_length=100, unique=True)
    source = models.TextField()
    compiled = models.BooleanField(default=False)
    errors = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
