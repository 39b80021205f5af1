from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.i18n.zones import validate_time_zone


class Preferences(models.Model):
    """What a user chose for themselves."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Pages show times in this zone. Empty: the browser's."),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Pages, alerts and notifications in this language. Empty: the browser's."),
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone or '-'}, {self.language or '-'}"


class SignInPolicy(models.Model):
    """What an administrator decided about signing in; one row (pk 1)."""

    require_admin_second_factor = models.BooleanField(
        _("require a second factor of administrators"),
        default=False,
        help_text=_("Administrators with a local password must enrol a TOTP app and use it at every sign-in."),
    )

    class Meta:
        verbose_name = _("sign-in policy")

    def __str__(self) -> str:
        return "sign-in policy"

    @classmethod
    def current(cls) -> "SignInPolicy":
        return cls.objects.get_or_create(pk=1)[0]
