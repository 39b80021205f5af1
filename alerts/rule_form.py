"""The alert rule form of the product (not admin): the metric's unit, scope, and recipients that reach someone."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from alerts import reach
from alerts.models import AlertRule
from alerts.preview import unit_of
from core.contracts.metrics import ALERT_METRICS


class RuleForm(forms.ModelForm):
    recipients = forms.ModelMultipleChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"), required=False,
        widget=forms.CheckboxSelectMultiple, label=_("Recipients"),
    )  # fmt: skip
    recipient_groups = forms.ModelMultipleChoiceField(
        Group.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple, label=_("Groups")
    )

    class Meta:
        model = AlertRule
        fields = ["name", "enabled", "metric", "comparison", "threshold", "recovery_threshold", "for_seconds",
                  "severity", "scope", "host", "tag", "agent", "recipients", "recipient_groups"]  # fmt: skip

    def __init__(self, *args, creator=None, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.pk is None and creator is not None and not self.is_bound:
            self.initial["recipients"] = [creator.pk]  # a new rule goes to whoever writes it
        # Each option says its unit: "disk %, fullest mount (agent)" is read at a glance.
        self.fields["metric"].choices = [(m.name, m.label) for m in ALERT_METRICS]
        self.fields["threshold"].widget.attrs["aria-describedby"] = "threshold-unit"
        for name in ("host", "tag"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if reason := reach.nobody_reason(cleaned.get("recipients") or [], cleaned.get("recipient_groups") or []):
            self.add_error("recipients", reason)
        return cleaned

    def unit(self) -> str:
        return unit_of(self["metric"].value() or ALERT_METRICS[0].name)
