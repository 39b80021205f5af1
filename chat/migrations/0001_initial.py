import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.model_moves import MoveContentTypes


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("monitor", "0004_api_tokens"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables exist since monitor's migrations (0002_chat): only the state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChatRoom",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "archived",
                            models.BooleanField(
                                default=False, help_text="An archived room keeps its history and takes no messages."
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_chatroom",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="ChatMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField(max_length=2000)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chat_messages",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "room",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="messages", to="chat.chatroom"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_chatmessage",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["room", "-created_at"], name="monitor_cha_room_id_8059e9_idx")
                        ],
                    },
                ),
            ],
        ),
        MoveContentTypes("monitor", "chat", ["chatroom", "chatmessage"]),
    ]
