from django.db import models

from core.security.secrets import decrypt, encrypt
from monitor.models import Site


class Probe(models.Model):
    """A probe at a site: its Redis user's password digest, its sealing key, what the centre has read of it."""

    name = models.CharField(max_length=63, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="probes")
    # The SHA-256 of its Redis password: enough to make its user again after a Redis restart.
    password_digest = models.CharField(max_length=64, editable=False)
    # The key its assignments are sealed with (netmon_probe.sealing), encrypted with SECRET_KEY.
    sealed_key = models.TextField(editable=False)
    # The last entry of its stream written into the results, in the same transaction.
    stream_position = models.CharField(max_length=40, default="0-0", editable=False)
    # The same for its datagram stream (what its event and flow receivers took).
    datagram_position = models.CharField(max_length=40, default="0-0", editable=False)
    # The last datagram taken, as the probe numbers them ("<its buffer>:<number>"): one sent twice is skipped.
    datagram_sequence = models.CharField(max_length=80, blank=True, editable=False)
    # The lease token (stats.shards.leases) of the probes process that wrote it: an older one is refused.
    lease_token = models.BigIntegerField(default=0, editable=False)
    last_seen = models.DateTimeField(null=True, editable=False)
    online = models.BooleanField(default=False, editable=False)
    # The probe's clock minus the centre's (Redis's), from its latest flush, in seconds.
    clock_skew_s = models.FloatField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return decrypt(self.sealed_key)

    @key.setter
    def key(self, value: str) -> None:
        self.sealed_key = encrypt(value)


class SiteCheckState(models.Model):
    """What a site's probe found last for a check: one vote in the check's state, and its latency per site."""

    host_check = models.ForeignKey("monitor.Check", on_delete=models.CASCADE, related_name="site_states")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="check_states")
    status = models.CharField(max_length=10)
    slot = models.DateTimeField()
    latency_ms = models.FloatField(null=True)
    loss_pct = models.FloatField(null=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host_check", "site"], name="one_state_per_check_and_site")]

    def __str__(self) -> str:
        return f"{self.host_check_id} from {self.site}: {self.status}"
