from django.contrib import admin, messages
from django.db.models import Count

from chat.models import ChatMessage, ChatRoom


@admin.register(ChatRoom)
class ChatRoomAdmin(admin.ModelAdmin):
    list_display = ["name", "archived", "created_at", "message_count"]
    list_filter = ["archived"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    actions = ["archive", "unarchive"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description="messages", ordering="message_total")
    def message_count(self, room: ChatRoom) -> int:
        return room.message_total

    @admin.action(description="Archive selected rooms (keep history, refuse new messages)")
    def archive(self, request, queryset):
        self.message_user(request, f"{queryset.update(archived=True)} rooms archived.", messages.SUCCESS)

    @admin.action(description="Reopen selected rooms")
    def unarchive(self, request, queryset):
        self.message_user(request, f"{queryset.update(archived=False)} rooms reopened.", messages.SUCCESS)


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "room", "author", "text"]
    list_filter = ["room__archived", "room"]
    search_fields = ["text", "author__username", "room__name"]
    list_select_related = ["room", "author"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # messages are written in the rooms, by their authors

    def has_change_permission(self, request, obj=None):
        return False
