from django.conf import settings
from django.db import models

from core.zones import validate_time_zone


class Preferences(models.Model):
    """What a user chose for themselves."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Pages show times in this zone. Empty: the browser's.",
    )

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone or 'browser time zone'}"
