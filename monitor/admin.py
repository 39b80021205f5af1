from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.security.redaction import redact_url, unredact_url
from monitor import checks
from monitor.checks.snmp import SECRET_FIELDS
from monitor.csv_import import import_hosts
from monitor.models import RUN_CHECK, Check, CheckResult, Host, MaintenanceWindow, Status, Tag
from monitor.results import derive_hosts

MAX_CSV_BYTES = 5 << 20


def status_badge(status: str, label: str):
    return format_html('<span class="nm-status nm-{}">{}</span>', status, label)


def latency(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def kind_fieldsets() -> list[tuple]:
    """One fieldset per check kind, with the fields it reads; a field two kinds share shows once."""
    shown: set[str] = set()
    fieldsets = []
    for kind in checks.kinds().values():
        rows = [row for row in kind.admin_rows if not shown.intersection(row if isinstance(row, tuple) else [row])]
        for row in rows:
            shown.update(row if isinstance(row, tuple) else [row])
        if rows:
            fieldsets.append((kind.label, {"fields": rows}))
    return fieldsets


def secret_input(label: str) -> forms.CharField:
    """A write-only field: the stored value is never put in the page; left empty, it is kept."""
    return forms.CharField(label=label, required=False, strip=False, widget=forms.PasswordInput(render_value=False))


class CheckForm(forms.ModelForm):
    """Shows a check URL redacted; saving it back unchanged keeps the stored secret.
    SNMP credentials are write-only: the form says whether one is set, never what it is."""

    community = secret_input("community")
    auth_password = secret_input("auth password")
    priv_password = secret_input("privacy password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.url:
            self.initial["url"] = redact_url(self.instance.url)
        for name in SECRET_FIELDS:
            stored = bool(self.instance.pk and getattr(self.instance, name))
            self.fields[name].help_text = "Set; leave empty to keep it." if stored else "Not set."

    def clean(self):
        cleaned = super().clean()
        for name in SECRET_FIELDS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def clean_url(self) -> str:
        return unredact_url(self.cleaned_data["url"], self.instance.url if self.instance.pk else "")


class CheckInline(admin.StackedInline):
    model = Check
    form = CheckForm
    extra = 0
    show_change_link = True
    fieldsets = [
        (None, {"fields": [("kind", "enabled"), ("interval_s", "timeout_s")]}),
        ("Thresholds", {"fields": [("degraded_latency_ms", "degraded_loss_pct")]}),
        *kind_fieldsets(),
    ]


class CsvImportForm(forms.Form):
    file = forms.FileField(help_text="UTF-8 CSV with a header row: name,address[,tags,enabled,notes,interval,checks]")
    dry_run = forms.BooleanField(required=False, help_text="Check every row and report, without saving anything.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_CSV_BYTES >> 20} MiB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "status_label", "latency_label", "status_changed_at", "enabled", "tag_list"]
    list_filter = ["status", "enabled", "tags"]
    search_fields = ["name", "address", "notes"]
    readonly_fields = ["status_label", "latency_label", "status_changed_at", "last_checked_at"]
    fieldsets = [
        (None, {"fields": ["name", "address", "enabled", "tags", "notes"]}),
        ("State", {"fields": [("status_label", "latency_label"), ("status_changed_at", "last_checked_at")]}),
    ]
    filter_horizontal = ["tags"]
    inlines = [CheckInline]
    actions = ["enable", "disable"]
    change_list_template = "admin/monitor/host/change_list.html"
    list_per_page = 200

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="status", ordering="status")
    def status_label(self, host: Host):
        return status_badge(host.status, host.get_status_display())

    @admin.display(description="last latency", ordering="last_latency_ms")
    def latency_label(self, host: Host) -> str:
        return latency(host.last_latency_ms)

    @admin.display(description="tags")
    def tag_list(self, host: Host) -> str:
        return ", ".join(tag.name for tag in host.tags.all())

    @admin.action(description="Enable selected hosts")
    def enable(self, request, queryset):
        count = queryset.filter(enabled=False).update(
            enabled=True, status=Status.PENDING, status_changed_at=timezone.now()
        )
        self.message_user(request, f"{count} hosts enabled.", messages.SUCCESS)

    @admin.action(description="Disable (pause) selected hosts")
    def disable(self, request, queryset):
        count = queryset.filter(enabled=True).update(
            enabled=False, status=Status.PAUSED, status_changed_at=timezone.now()
        )
        self.message_user(request, f"{count} hosts paused.", messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        # An edited check runs at once, so its new settings show without waiting an interval.
        for check_form in formset.forms:
            if check_form.has_changed() and check_form.instance is not None:
                check_form.instance.next_run_at = timezone.now()
        super().save_formset(request, form, formset, change)
        transaction.on_commit(lambda: derive_hosts({form.instance.pk}))

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_csv)
        return [path("import/", view, name="monitor_host_import"), *super().get_urls()]

    def import_csv(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:monitor_host_changelist")
        form = CsvImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = import_hosts(form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
            level = messages.WARNING if report.errors else messages.SUCCESS
            prefix = "Dry run: " if form.cleaned_data["dry_run"] else ""
            self.message_user(request, prefix + report.summary(), level)
            if not report.errors and not form.cleaned_data["dry_run"]:
                return redirect("admin:monitor_host_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import hosts from CSV",
            "form": form,
            "report": report,
            "check_syntaxes": [kind.csv_syntax for kind in checks.kinds().values()],
            "changelist_url": reverse("admin:monitor_host_changelist"),
        }
        return render(request, "admin/monitor/host/import.html", context)


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "interval_s", "status_label", "latency_label", "loss", "status_changed_at", "last_error"]
    list_filter = ["kind", "status", "enabled", "host__tags"]
    search_fields = ["host__name", "host__address", "url", "dns_name"]
    list_select_related = ["host"]
    readonly_fields = ["status_label", "latency_label", "loss", "status_changed_at", "last_checked_at", "last_error"]
    autocomplete_fields = ["host"]
    latest_result = [("status_label", "latency_label", "loss"), ("status_changed_at", "last_checked_at"), "last_error"]
    fieldsets = [(None, {"fields": ["host"]}), *CheckInline.fieldsets, ("Latest result", {"fields": latest_result})]
    form = CheckForm
    actions = ["enable", "disable", "run_now"]
    list_per_page = 200

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="status", ordering="status")
    def status_label(self, check: Check):
        if not check.enabled:
            return status_badge(Status.PAUSED, "PAUSED")
        return status_badge(check.status, check.get_status_display())

    @admin.display(description="last latency", ordering="last_latency_ms")
    def latency_label(self, check: Check) -> str:
        return latency(check.last_latency_ms)

    @admin.display(description="loss", ordering="last_loss_pct")
    def loss(self, check: Check) -> str:
        return "—" if check.last_loss_pct is None else f"{check.last_loss_pct:.0f}%"

    def save_model(self, request, obj, form, change):
        if form.has_changed():
            obj.next_run_at = timezone.now()
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: derive_hosts({obj.host_id}))

    def delete_queryset(self, request, queryset):
        host_ids = set(queryset.values_list("host_id", flat=True))
        super().delete_queryset(request, queryset)
        derive_hosts(host_ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        derive_hosts({obj.host_id})

    @admin.action(description="Enable selected checks")
    def enable(self, request, queryset):
        self._set_enabled(request, queryset, True)

    @admin.action(description="Disable selected checks")
    def disable(self, request, queryset):
        self._set_enabled(request, queryset, False)

    def _set_enabled(self, request, queryset, enabled: bool) -> None:
        host_ids = set(queryset.values_list("host_id", flat=True))
        count = queryset.update(enabled=enabled, next_run_at=timezone.now())
        derive_hosts(host_ids)
        self.message_user(request, f"{count} checks {'enabled' if enabled else 'disabled'}.", messages.SUCCESS)

    def has_run_permission(self, request) -> bool:
        return request.user.has_perm(RUN_CHECK)

    @admin.action(description="Run selected checks now", permissions=["run"])
    def run_now(self, request, queryset):
        count = queryset.update(next_run_at=timezone.now())
        self.message_user(request, f"{count} checks will run within a second.", messages.SUCCESS)


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    list_display = ["started_at", "host_check", "status", "latency_ms", "loss_pct", "jitter_ms", "error"]
    list_filter = ["status", "host_check__kind"]
    search_fields = ["host__name", "error"]
    list_select_related = ["host_check__host"]
    date_hierarchy = "started_at"
    show_full_result_count = False  # counting millions of rows on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason"]
    autocomplete_fields = ["host", "tag"]
