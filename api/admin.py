from django.contrib import admin
from django.shortcuts import render

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens act as their user, so only a superuser makes or sees tokens of other users.

    Anyone else with the token permissions works on their own tokens only: a token made
    for themselves can never do more than they can.
    """

    list_display = ["name", "user", "read_only", "hint", "created_at", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fields(request, obj)
        return ["name", "read_only", "hint", "created_at", "last_used_at"]  # the user is themselves

    def get_readonly_fields(self, request, obj=None):
        # A token never changes hands: that would give its secret's holder another user's rights.
        owner = ["user"] if obj is not None else []
        return [*owner, "hint", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            if not request.user.is_superuser:
                obj.user = request.user
            request.new_token_secret = obj.generate()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the secret is shown, in this response: the database keeps its
        # digest, and a message would carry it in the session.
        response = render(request, "token_created.html", {"token": obj, "secret": request.new_token_secret})
        response["Cache-Control"] = "no-store"
        return response
