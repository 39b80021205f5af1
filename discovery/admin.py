from django import forms
from django.contrib import admin
from django.utils import timezone

from discovery import recording
from discovery.crawl import Found
from discovery.models import Candidate, CredentialSet, ParentPin, Plan

SECRETS = ["community", "auth_password", "priv_password"]


class CredentialSetForm(forms.ModelForm):
    """Communities and passwords are written, never shown back; left empty when editing, the saved one stays."""

    community = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    auth_password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    priv_password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = CredentialSet
        fields = ["position", "version", "community", "user", "auth_protocol", "auth_password", "priv_protocol",
                  "priv_password"]  # fmt: skip

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in SECRETS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class CredentialSetInline(admin.TabularInline):
    model = CredentialSet
    form = CredentialSetForm
    extra = 1


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "policy", "interval_s", "enabled", "last_run_at", "last_summary"]
    readonly_fields = ["last_run_at", "last_summary"]
    inlines = [CredentialSetInline]


@admin.action(description="Monitor the selected devices")
def monitor(modeladmin, request, queryset) -> None:
    for candidate in queryset.filter(state=Candidate.State.PENDING, host=None):
        found = Found(candidate.key, candidate.name, candidate.addresses, None, candidate.sys_object_id,
                                candidate.sys_descr, candidate.vendor)  # fmt: skip
        candidate.host = recording.add(found, candidate.credential_set, timezone.now())
        candidate.state = Candidate.State.ADDED
        candidate.save(update_fields=["host", "state"])


@admin.action(description="Ignore the selected devices")
def ignore(modeladmin, request, queryset) -> None:
    queryset.filter(state=Candidate.State.PENDING).update(state=Candidate.State.IGNORED)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    """The review list: what discovery found and no policy added."""

    list_display = ["name", "state", "vendor", "addresses", "host", "last_seen_at"]
    list_filter = ["state", "plan"]
    search_fields = ["name", "key"]
    actions = [monitor, ignore]
    readonly_fields = [field.name for field in Candidate._meta.fields if field.name != "state"]

    def has_add_permission(self, request):
        return False


@admin.register(ParentPin)
class ParentPinAdmin(admin.ModelAdmin):
    """An administrator's word on a host's parent, over the derived ones (taken up within seconds)."""

    list_display = ["host", "parent", "note"]
    autocomplete_fields = ["host", "parent"]
