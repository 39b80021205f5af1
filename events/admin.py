from django import forms
from django.contrib import admin

from events import mib_upload
from events.models import Event, SourceMapping, TrapUser, UnknownSource, VendorMib


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are what devices said."""

    list_display = ("received_at", "device", "source", "kind", "severity", "trap_name", "app", "text")
    list_filter = ("kind", "severity")
    search_fields = ("source", "trap_name", "app")
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UnknownSource)
class UnknownSourceAdmin(admin.ModelAdmin):
    list_display = ("address", "count", "first_seen", "last_seen")
    readonly_fields = ("address", "count", "first_seen", "last_seen")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SourceMapping)
class SourceMappingAdmin(admin.ModelAdmin):
    list_display = ("address", "device")
    autocomplete_fields = ("device",)


class TrapUserForm(forms.ModelForm):
    """The passwords are write-only: the form says whether one is set, never what it is."""

    auth_password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput(render_value=False))
    priv_password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = TrapUser
        fields = ["device", "user", "engine_id", "auth_protocol", "auth_password", "priv_protocol", "priv_password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("auth_password", "priv_password"):
            stored = bool(self.instance.pk and getattr(self.instance, name))
            self.fields[name].help_text = "Set; leave empty to keep it." if stored else "At least 8 characters."
            self.initial[name] = ""

    def clean(self):
        cleaned = super().clean()
        for name in ("auth_password", "priv_password"):
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(TrapUser.objects.get(pk=self.instance.pk), name)  # kept
            elif len(cleaned.get(name) or "") < 8:
                self.add_error(name, "SNMPv3 passwords are at least 8 characters.")
        engine_id = cleaned.get("engine_id", "")
        if engine_id and (len(engine_id) % 2 or any(c not in "0123456789abcdefABCDEF" for c in engine_id)):
            self.add_error("engine_id", "The engine ID in hexadecimal, e.g. 8000000001020304.")
        return cleaned


@admin.register(TrapUser)
class TrapUserAdmin(admin.ModelAdmin):
    form = TrapUserForm
    list_display = ("user", "device", "engine_id", "auth_protocol", "priv_protocol")
    autocomplete_fields = ("device",)


class VendorMibForm(forms.ModelForm):
    file = forms.FileField(required=False, help_text="The MIB's text (e.g. ACME-TRAPS-MIB.my).")

    class Meta:
        model = VendorMib
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            if not self.instance.pk:
                raise forms.ValidationError("Choose the MIB file.")
            return None
        if upload.size > mib_upload.MAX_BYTES:
            raise forms.ValidationError("A MIB is at most 2 MB.")
        text = upload.read().decode("utf-8", errors="replace")
        if not (name := mib_upload.module_name(text)):
            raise forms.ValidationError("No “NAME DEFINITIONS ::= BEGIN” found: is this a MIB?")
        self.instance.name, self.instance.source = name, text
        return upload


@admin.register(VendorMib)
class VendorMibAdmin(admin.ModelAdmin):
    """Uploaded MIBs, compiled on upload; a MIB that does not compile shows why."""

    form = VendorMibForm
    list_display = ("name", "compiled", "uploaded_at")
    readonly_fields = ("name", "compiled", "errors", "uploaded_at")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        mib_upload.compile_all()
        obj.refresh_from_db()
        if obj.compiled:
            self.message_user(request, f"{obj.name} compiled; the receiver names its traps within seconds.")
        else:
            self.message_user(request, f"{obj.name} did not compile: {obj.errors}", level="error")
