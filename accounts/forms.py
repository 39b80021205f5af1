from django import forms

from accounts.models import Preferences
from alerts.models import NotificationTarget
from api.models import ApiToken
from core.zones import names


class TargetForm(forms.ModelForm):
    url = forms.CharField(
        label="Apprise URL",
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="e.g. mailto://user:password@example.com or ntfy://topic. Not shown again after saving.",
    )

    class Meta:
        model = NotificationTarget
        fields = ["url", "label"]


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]


class TimeZoneForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label="Time zone",
        required=False,
        choices=lambda: [("", "The browser's"), *((name, name) for name in sorted(names()))],
        help_text="Pages show times in this zone.",
    )

    class Meta:
        model = Preferences
        fields = ["time_zone"]
