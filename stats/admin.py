from django import forms
from django.contrib import admin, messages
from django.db.models import Sum
from django.shortcuts import render

from netmon_agent import keys
from stats import credentials
from stats.frame_checks import REASONS
from stats.models import Agent, RejectedCount, RejectedFrame


class AgentAddForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["name"]
        help_texts = {"name": f"How the host appears on the dashboard: {keys.NAME_RULE}."}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        try:
            keys.check_name(name)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if name in credentials.registered():
            raise forms.ValidationError("An agent of this name exists: revoke it first, or pick another name.")
        return name


class RejectedCountInline(admin.TabularInline):
    """Entries the ingest set aside, per reason (what each reason means: the rejected frames page)."""

    model = RejectedCount
    fields = ["reason", "count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "first_seen", "last_seen", "rejected"]
    inlines = [RejectedCountInline]
    search_fields = ["name"]
    readonly_fields = ["name", "first_seen", "last_seen"]
    actions = ["revoke_credentials"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rejected_total=Sum("rejected_counts__count"))

    @admin.display(description="entries set aside", ordering="rejected_total")
    def rejected(self, obj) -> int:
        return obj.rejected_total or 0

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AgentAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        request.new_agent_credentials = credentials.add(obj.name)  # saves the row, with its digest
        obj.pk = Agent.objects.get(name=obj.name).pk

    def response_add(self, request, obj, post_url_continue=None):
        # The one time the URL is shown: Redis keeps only a hash of its password.
        response = render(request, "agent_created.html", {"credentials": request.new_agent_credentials})
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the credentials of the selected agents (refused at once)")
    def revoke_credentials(self, request, queryset):
        names = list(queryset.values_list("name", flat=True))
        for name in names:
            credentials.revoke(name)
        self.message_user(request, f"Revoked {len(names)} agent(s).", messages.SUCCESS)

    def delete_model(self, request, obj):
        self.revoke_credentials(request, Agent.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        self.revoke_credentials(request, queryset)


@admin.register(RejectedFrame)
class RejectedFrameAdmin(admin.ModelAdmin):
    """The newest entries set aside per agent, as sent: read-only, they are evidence."""

    list_display = ["at", "agent", "reason", "meaning", "detail", "entry_id"]
    list_filter = ["reason", "agent"]
    readonly_fields = ["agent", "entry_id", "reason", "detail", "text", "at"]

    @admin.display(description="meaning")
    def meaning(self, obj) -> str:
        return REASONS.get(obj.reason, "")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
