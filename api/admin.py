from django.contrib import admin
from django.shortcuts import render

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "read_only", "hint", "created_at", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["hint", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            request.new_token_secret = obj.generate()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the secret is shown, in this response: the database keeps its
        # digest, and a message would carry it in the session.
        response = render(request, "token_created.html", {"token": obj, "secret": request.new_token_secret})
        response["Cache-Control"] = "no-store"
        return response
