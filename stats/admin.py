from django.contrib import admin

from stats import latest
from stats.models import Agent


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "first_seen", "last_seen"]
    search_fields = ["name"]
    readonly_fields = ["name", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False  # agents register themselves by reporting

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        latest.forget(obj.name)

    def delete_queryset(self, request, queryset):
        names = list(queryset.values_list("name", flat=True))
        super().delete_queryset(request, queryset)
        for name in names:
            latest.forget(name)
