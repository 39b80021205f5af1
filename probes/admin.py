from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import render

from netmon_probe import keys
from probes import credentials, install
from probes.models import Probe

# A probe's clock further off than this is flagged: its results' times cannot be trusted to the second.
SKEW_WARNING_S = 5.0


class ProbeAddForm(forms.ModelForm):
    class Meta:
        model = Probe
        fields = ["name", "site"]
        help_texts = {"name": f"{keys.NAME_RULE}.", "site": "The site whose checks it runs."}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        try:
            keys.check_name(name)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if Probe.objects.filter(name=name).exists():
            raise forms.ValidationError("A probe of this name exists: revoke it first, or pick another name.")
        return name


@admin.register(Probe)
class ProbeAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "online", "last_seen", "clock"]
    list_filter = ["site", "online"]
    search_fields = ["name"]
    readonly_fields = ["name", "site", "online", "last_seen", "clock", "created_at"]
    actions = ["revoke_credentials"]

    @admin.display(description="clock")
    def clock(self, probe: Probe) -> str:
        if probe.clock_skew_s is None:
            return "unknown"
        flag = " (off: check its NTP)" if abs(probe.clock_skew_s) > SKEW_WARNING_S else ""
        return f"{probe.clock_skew_s:+.1f} s{flag}"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProbeAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing of a probe is edited: new credentials are `probes add NAME --replace`
        request.new_probe_credentials = credentials.add(obj.name, obj.site.name)
        obj.pk = Probe.objects.get(name=obj.name).pk

    def response_add(self, request, obj, post_url_continue=None):
        # The one time the URL is shown: Redis and the database keep neither it nor its derived key in the clear.
        made = request.new_probe_credentials
        unit = (settings.BASE_DIR / install.UNIT).read_text()
        context = {"credentials": made, "unit": unit, "compose": install.compose_service(made.name)}
        response = render(request, "probe_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the credentials of the selected probes (refused at once)")
    def revoke_credentials(self, request, queryset):
        names = list(queryset.values_list("name", flat=True))
        for name in names:
            credentials.revoke(name)
        self.message_user(request, f"Revoked {len(names)} probe(s).", messages.SUCCESS)

    def delete_model(self, request, obj):
        self.revoke_credentials(request, Probe.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        self.revoke_credentials(request, queryset)
