from django.conf import settings
from django.db import models
from django.utils import timezone

from core.contracts.groups import chat_room_group


class ChatRoom(models.Model):
    """A chat room, made when someone first joins it by name. Any text is a valid name."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(default=False, help_text="An archived room keeps its history and takes no messages.")

    class Meta:
        db_table = "monitor_chatroom"  # made when chat was part of monitor
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def group(self) -> str:
        """The channel-layer group: from the id, never from the name people typed."""
        return chat_room_group(self.pk)


class ChatMessage(models.Model):
    MAX_LENGTH = 2000

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages")
    text = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The sending page's name for the message: a page sends again what it has no "saved"
    # frame for, and a resend of a stored message must not store it twice. NULL, not "",
    # when there is none: NULLs never collide in the unique constraint.
    client_id = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        db_table = "monitor_chatmessage"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["room", "-created_at"])]
        constraints = [models.UniqueConstraint(fields=["author", "client_id"], name="one_message_per_client_id")]

    def __str__(self) -> str:
        return f"{self.author} in {self.room}: {self.text[:50]}"
