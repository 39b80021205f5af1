from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from status.models import LOGO_MAX_BYTES, LOGO_TYPES, Notice, StatusPage

LOGO_SIGNATURES = {  # the first bytes of each accepted image type
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"RIFF": "image/webp",
}


def logo_type(data: bytes) -> str | None:
    """The logo's type from its content, not from the name or type the browser claims."""
    for signature, kind in LOGO_SIGNATURES.items():
        if data.startswith(signature):
            return kind
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return None


class StatusPageForm(forms.ModelForm):
    logo_file = forms.FileField(
        label="Logo", required=False, help_text="PNG, JPEG, WebP or SVG, at most 256 KB. Empty: keep the current one."
    )
    remove_logo = forms.BooleanField(required=False)

    class Meta:
        model = StatusPage
        fields = [
            "title", "slug", "description", "public", "hosts_heading", "hosts", "tags",
            "show_reasons", "time_zone", "domain",
        ]  # fmt: skip

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo can be at most 256 KB.")
        data = upload.read()
        kind = logo_type(data)
        if kind not in LOGO_TYPES:
            raise forms.ValidationError("The logo must be a PNG, JPEG, WebP or SVG image.")
        return data, kind

    def save(self, commit=True):
        page = super().save(commit=False)
        if self.cleaned_data.get("remove_logo"):
            page.logo, page.logo_type = None, ""
        elif logo := self.cleaned_data.get("logo_file"):
            page.logo, page.logo_type = logo
        if commit:
            page.save()
            self.save_m2m()
        return page


class NoticeInline(admin.StackedInline):
    model = Notice
    extra = 0
    fields = [("kind", "title"), "message", ("starts_at", "ends_at")]


@admin.register(StatusPage)
class StatusPageAdmin(admin.ModelAdmin):
    form = StatusPageForm
    list_display = ["title", "slug", "public", "open_link"]
    list_filter = ["public"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["hosts", "tags"]
    inlines = [NoticeInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "public", "logo_file", "remove_logo"]}),
        ("What it shows", {"fields": ["hosts_heading", "hosts", "tags", "show_reasons", "time_zone"]}),
        ("Custom domain", {"fields": ["domain"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Page")
    def open_link(self, page: StatusPage):
        return format_html('<a href="{}">open</a>', reverse("status_page", args=[page.slug]))
