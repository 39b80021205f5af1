import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


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
        db_table = "monitor_apitoken"  # made when the API was part of monitor
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
