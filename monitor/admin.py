from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

import celery_app  # noqa: F401  the CSV imports this web process queues go to this installation's broker
from monitor import checks
from monitor.check_form import CheckForm
from monitor.csv_import import ImportReport, import_hosts
from monitor.models import RUN_CHECK, Check, CheckResult, Host, HostImport, MaintenanceWindow, Site, Status, Tag
from monitor.results import derive_hosts
from monitor.tasks import import_hosts_file

MAX_CSV_BYTES = 5 << 20
# Larger files are imported by a worker while the page shows progress: a request of
# minutes would hold a web worker and end in a proxy's timeout.
IN_REQUEST_ROWS = 1_000


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


class CheckInline(admin.StackedInline):
    model = Check
    form = CheckForm
    extra = 0
    show_change_link = True
    fieldsets = [
        (None, {"fields": [("kind", "enabled"), ("interval_s", "timeout_s")]}),
        ("Thresholds", {"fields": [("degraded_latency_ms", "degraded_loss_pct")]}),
        ("Sites", {"fields": [("sites", "quorum")]}),
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
    list_filter = ["status", "enabled", "site", "tags"]
    search_fields = ["name", "address", "notes"]
    readonly_fields = ["status_label", "latency_label", "status_changed_at", "last_checked_at"]
    fieldsets = [
        (None, {"fields": ["name", "address", "enabled", "site", "tags", "notes"]}),
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
        progress = self.admin_site.admin_view(self.import_progress)
        return [
            path("import/", view, name="monitor_host_import"),
            path("import/<int:import_id>/", progress, name="monitor_host_import_progress"),
            *super().get_urls(),
        ]

    def import_csv(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:monitor_host_changelist")
        form = CsvImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].count("\n") > IN_REQUEST_ROWS:
            job = HostImport.objects.create(
                created_by=request.user, text=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
            transaction.on_commit(lambda: import_hosts_file.delay(job.pk))
            return redirect("admin:monitor_host_import_progress", job.pk)
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
            "in_request_rows": f"{IN_REQUEST_ROWS:,}",
            "changelist_url": reverse("admin:monitor_host_changelist"),
        }
        return render(request, "admin/monitor/host/import.html", context)

    def import_progress(self, request, import_id: int):
        """A queued import's progress, then its report. Seen by the one who started it (and superusers)."""
        job = get_object_or_404(HostImport.objects.defer("text"), pk=import_id)
        if not (request.user.is_superuser or job.created_by_id == request.user.pk):
            raise Http404
        done = job.state == HostImport.State.DONE
        report = ImportReport.from_dict(job.report) if done else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import hosts from CSV",
            "job": job,
            "report": report,
            "changelist_url": reverse("admin:monitor_host_changelist"),
        }
        return render(request, "admin/monitor/host/import_progress.html", context)


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "interval_s", "status_label", "latency_label", "loss", "status_changed_at", "last_error"]
    list_filter = ["kind", "status", "enabled", "host__tags"]
    search_fields = ["host__name", "host__address", "settings__url", "settings__dns_name"]
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


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "notes"]
    search_fields = ["name", "notes"]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason"]
    autocomplete_fields = ["host", "tag"]
