from django import forms

from alerts.models import NotificationTarget
from api.models import ApiToken


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
