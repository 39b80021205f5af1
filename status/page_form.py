"""The status page form of the product: slug from the title, and Public asked explicitly."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitor.models import Host, Tag
from status.models import StatusPage

PUBLIC, SIGNED_IN = "public", "signed-in"


class StatusPageForm(forms.ModelForm):
    # Asked, never assumed: a new page has neither answer chosen, and saving needs one.
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[(PUBLIC, _("Anyone with the address (public, no login)")),
                 (SIGNED_IN, _("Signed-in people only"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who may read the page.")},
    )  # fmt: skip
    hosts = forms.ModelMultipleChoiceField(
        Host.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple, label=_("Hosts")
    )
    tags = forms.ModelMultipleChoiceField(
        Tag.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Tags (a section each)"),
    )  # fmt: skip

    class Meta:
        model = StatusPage
        fields = ["title", "slug", "description", "hosts_heading", "hosts", "tags", "show_reasons", "time_zone"]
        help_texts = {"slug": _("The page's address: /status/<slug>/. Filled from the title as you type.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if self.instance.pk:
            self.initial["audience"] = PUBLIC if self.instance.public else SIGNED_IN
        self.fields["description"].widget.attrs["rows"] = 3

    def save(self, commit=True):
        self.instance.public = self.cleaned_data["audience"] == PUBLIC
        return super().save(commit)
