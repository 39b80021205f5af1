"""What discovery is told (plans and their credential sets) and what it found (candidates,
the review list)."""

from django.db import models

from core.security.secrets import EncryptedCharField


class Plan(models.Model):
    """Where to look, with which credentials, how often, and what to do with what is found."""

    class Policy(models.TextChoices):
        ADD = "add", "add found devices as monitored hosts"
        REVIEW = "review", "list found devices for review"

    name = models.CharField(max_length=100, unique=True)
    seeds = models.TextField(help_text="Addresses to start from, one a line.")
    scope = models.TextField(help_text="Networks the crawl stays inside (CIDR), one a line.")
    sweep = models.TextField(blank=True, help_text="Prefixes tried address by address (CIDR), one a line.")
    sweep_rate = models.PositiveIntegerField(default=20, help_text="Addresses a second the sweep tries at most.")
    policy = models.CharField(max_length=6, choices=Policy, default=Policy.REVIEW)
    interval_s = models.PositiveIntegerField(default=86_400, help_text="Seconds between rediscoveries.")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_summary = models.CharField(max_length=300, blank=True, editable=False)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


class CredentialSet(models.Model):
    """One SNMP identity to try. v3 users are tried before v2c communities. Secrets are write-only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="credential_sets")
    position = models.PositiveSmallIntegerField(default=0)
    version = models.CharField(max_length=2, choices=(("3", "v3 (user, authPriv)"), ("2c", "v2c (community)")))
    community = EncryptedCharField(blank=True)
    user = models.CharField(max_length=100, blank=True)
    auth_protocol = models.CharField(max_length=10, default="SHA-256")
    auth_password = EncryptedCharField(blank=True)
    priv_protocol = models.CharField(max_length=10, default="AES")
    priv_password = EncryptedCharField(blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"v3 {self.user}" if self.version == "3" else "v2c community"


class Candidate(models.Model):
    """A device discovery found: one chassis, however many addresses it answered on."""

    class State(models.TextChoices):
        PENDING = "pending", "waiting for review"
        ADDED = "added", "monitored"
        IGNORED = "ignored", "ignored"

    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL, related_name="candidates")
    key = models.CharField(max_length=300, unique=True)  # chassis id, or sysName and serial
    name = models.CharField(max_length=255)
    addresses = models.JSONField(default=list)
    sys_object_id = models.CharField(max_length=255, blank=True)
    sys_descr = models.TextField(blank=True)
    vendor = models.CharField(max_length=100, blank=True)
    credential_set = models.ForeignKey(CredentialSet, null=True, on_delete=models.SET_NULL, related_name="+")
    host = models.ForeignKey("monitor.Host", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=7, choices=State, default=State.PENDING)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({', '.join(self.addresses)})"


class ParentPin(models.Model):
    """An administrator's word on what a host depends on, over what was derived. No parent: the server itself."""

    host = models.OneToOneField("monitor.Host", on_delete=models.CASCADE, related_name="parent_pin")
    parent = models.ForeignKey("monitor.Host", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="Empty: the host hangs straight off the monitoring server.")  # fmt: skip
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.host} depends on {self.parent or 'the server'}"
