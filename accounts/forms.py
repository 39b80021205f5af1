from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Preferences
from alerts.models import NotificationTarget
from api.models import ApiToken
from core.i18n.zones import names


class TargetForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Apprise URL"),
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Not shown again after saving."),
    )

    class Meta:
        model = NotificationTarget
        fields = ["url", "label"]
        labels = {"label": _("Label")}
        help_texts = {"label": _("How the target is listed, e.g. “phone” or “team mail”.")}


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]
        labels = {"name": _("Name"), "read_only": _("Read-only")}
        help_texts = {"name": _("What uses it, e.g. “prometheus” or “provisioning script”.")}


class PreferencesForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label=_("Time zone"),
        required=False,
        choices=lambda: [("", _("The browser's")), *((name, name) for name in sorted(names()))],
        help_text=_("Pages show times in this zone."),
        widget=forms.Select(attrs={"translate": "no"}),  # IANA names are names, in every language
    )
    language = forms.TypedChoiceField(
        label=_("Language"),
        required=False,
        choices=lambda: [("", _("The browser's")), *settings.LANGUAGES],
        help_text=_("Pages, alerts and notifications in this language."),
    )

    class Meta:
        model = Preferences
        fields = ["time_zone", "language"]
