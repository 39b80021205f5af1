from django.contrib import admin, messages

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "read_only", "hint", "created_at", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["hint", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        secret = None if change else obj.generate()
        super().save_model(request, obj, form, change)
        if secret:
            # The only time the secret is shown: the database keeps its digest.
            self.message_user(
                request, f"Token “{obj.name}”: {secret} — copy it now, it will not be shown again.", messages.WARNING
            )
