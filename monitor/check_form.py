"""The admin form of a check: a form field for every kind's settings, built from their declarations."""

from django import forms

from core.security.redaction import redact_url, unredact_url
from monitor import checks
from monitor.checks.settings import Setting
from monitor.models import Check


def form_field(setting: Setting) -> forms.Field:
    """The form field of one setting. None is required here: only the chosen kind's settings
    are taken, and the kind's declarations say which of them must be set."""
    common = {"label": setting.verbose_name, "help_text": setting.help_text, "required": False}
    if setting.secret:
        # Write-only: the stored value is never put in the page; left empty, it is kept.
        return forms.CharField(strip=False, widget=forms.PasswordInput(render_value=False), **common)
    if setting.choices:
        return forms.TypedChoiceField(choices=setting.choices, coerce=setting.type, **common)
    if setting.type is bool:
        return forms.BooleanField(**common)
    if setting.type is int:
        return forms.IntegerField(**common)
    if setting.type is float:
        return forms.FloatField(**common)
    return forms.CharField(max_length=setting.max_length, **common)


def empty(setting: Setting):
    return "" if setting.type is str else None


class CheckForm(forms.ModelForm):
    """Shows a check URL redacted; saving it back unchanged keeps the stored secret.
    SNMP credentials are write-only: the form says whether one is set, never what it is."""

    class Meta:
        model = Check
        fields = ["host", "kind", "enabled", "interval_s", "timeout_s", "degraded_latency_ms", "degraded_loss_pct",
                  "sites", "quorum"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, setting in checks.all_settings().items():
            if setting.secret:
                stored = bool(self.instance.pk and getattr(self.instance, name))
                self.fields[name].help_text = "Set; leave empty to keep it." if stored else "Not set."
            elif name not in self.initial:
                self.initial[name] = getattr(self.instance, name)
        if self.instance.pk and self.instance.url:
            self.initial["url"] = redact_url(self.instance.url)

    def clean_url(self) -> str:
        return unredact_url(self.cleaned_data.get("url") or "", self.instance.url if self.instance.pk else "")

    def _post_clean(self):
        # The chosen kind's settings go on the check before the model validates it.
        kind = self.cleaned_data.get("kind")
        if kind in checks.kinds():
            for setting in checks.kind(kind).settings:
                value = self.cleaned_data.get(setting.name, empty(setting))
                if setting.secret and not value and self.instance.pk:
                    continue  # left empty: the stored secret is kept
                setattr(self.instance, setting.name, value if value is not None else empty(setting))
        super()._post_clean()


# Declared on the class, not per form: admin's fieldsets name them like model fields.
SETTING_FIELDS = {name: form_field(setting) for name, setting in checks.all_settings().items()}
CheckForm.base_fields.update(SETTING_FIELDS)
CheckForm.declared_fields.update(SETTING_FIELDS)
