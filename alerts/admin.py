from django import forms
from django.contrib import admin

from alerts.models import (
    AlertEvent,
    AlertRule,
    EventCondition,
    FlowCondition,
    Notification,
    NotificationAttempt,
    NotificationTarget,
)


class EventConditionInline(admin.StackedInline):
    """For the metric "network events": which events the rule counts (threshold: how many within the window)."""

    model = EventCondition
    extra = 0
    max_num = 1
    verbose_name = "network event condition (metric “network events”)"


class FlowConditionInline(admin.StackedInline):
    """For the metric "flow_bps": which flow traffic the rule measures (threshold: bit/s over a minute)."""

    model = FlowCondition
    extra = 0
    max_num = 1
    verbose_name = "flow condition (metric “flow_bps”)"


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    inlines = [EventConditionInline, FlowConditionInline]
    list_display = ["name", "enabled", "scope", "metric", "comparison", "threshold", "for_seconds", "severity"]
    list_filter = ["enabled", "severity", "metric", "scope"]
    search_fields = ["name"]
    autocomplete_fields = ["host", "tag"]
    filter_horizontal = ["recipients", "recipient_groups"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "severity"]}),
        (
            "What",
            {
                "fields": [
                    ("scope", "host", "tag"),
                    "metric",
                    ("comparison", "threshold", "recovery_threshold"),
                    "for_seconds",
                ]
            },
        ),
        ("Who hears of it", {"fields": ["recipients", "recipient_groups"]}),
    ]


class NotificationAttemptInline(admin.TabularInline):
    model = NotificationAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "ok", "error"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["event", "target", "status", "attempts", "last_error", "next_attempt_at"]
    list_filter = ["status"]
    inlines = [NotificationAttemptInline]
    readonly_fields = ["event", "target", "status", "attempts", "last_error", "next_attempt_at", "created_at"]

    def has_add_permission(self, request):
        return False


class NotificationTargetForm(forms.ModelForm):
    """An Apprise URL holds the credentials of a mail, chat or push account: it is written,
    never shown back. Left empty when editing, the saved URL stays."""

    url = forms.CharField(
        label="Apprise URL",
        max_length=1000,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="e.g. mailto://user:password@example.com. Not shown again after saving; leave empty to keep it.",
    )

    class Meta:
        model = NotificationTarget
        fields = ["user", "url", "label", "enabled"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url:
            return url
        if self.instance.pk:
            return self.instance.url
        raise forms.ValidationError("Give the Apprise URL to send to.")


@admin.register(NotificationTarget)
class NotificationTargetAdmin(admin.ModelAdmin):
    form = NotificationTargetForm
    list_display = ["user", "label", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["user__username", "label"]


@admin.register(AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "message", "by"]
    list_filter = ["kind", "alert__rule__severity"]
    search_fields = ["message"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
