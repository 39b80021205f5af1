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

    # The tables exist since monitor's migrations (0004_api_tokens): only the state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="What uses it, e.g. “prometheus” or “provisioning script”.", max_length=100
                            ),
                        ),
                        ("read_only", models.BooleanField(default=True)),
                        ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                        (
                            "hint",
                            models.CharField(
                                editable=False,
                                help_text="The token's first characters, to tell tokens apart.",
                                max_length=12,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_apitoken",
                        "ordering": ["user__username", "name"],
                    },
                ),
            ],
        ),
        MoveContentTypes("monitor", "api", ["apitoken"]),
    ]
