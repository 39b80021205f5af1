from django.db import migrations, models

import monitor.checks


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0004_api_tokens"),
        ("alerts", "0001_initial"),
        ("chat", "0001_initial"),
        ("api", "0001_initial"),
    ]

    # alerts, chat and api took these models over with their tables (their 0001
    # migrations): drop them from monitor's state only, keeping every row.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="alertevent",
                    name="alert",
                ),
                migrations.RemoveField(
                    model_name="alertevent",
                    name="by",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="event",
                ),
                migrations.RemoveField(
                    model_name="alertrule",
                    name="host",
                ),
                migrations.RemoveField(
                    model_name="alertrule",
                    name="recipient_groups",
                ),
                migrations.RemoveField(
                    model_name="alertrule",
                    name="recipients",
                ),
                migrations.RemoveField(
                    model_name="alertrule",
                    name="tag",
                ),
                migrations.RemoveField(
                    model_name="apitoken",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="chatmessage",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="chatmessage",
                    name="room",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="target",
                ),
                migrations.RemoveField(
                    model_name="notificationattempt",
                    name="notification",
                ),
                migrations.RemoveField(
                    model_name="notificationtarget",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Alert",
                ),
                migrations.DeleteModel(
                    name="AlertEvent",
                ),
                migrations.DeleteModel(
                    name="AlertRule",
                ),
                migrations.DeleteModel(
                    name="ApiToken",
                ),
                migrations.DeleteModel(
                    name="ChatMessage",
                ),
                migrations.DeleteModel(
                    name="ChatRoom",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="NotificationAttempt",
                ),
                migrations.DeleteModel(
                    name="NotificationTarget",
                ),
            ],
        ),
        # Check kinds now come from the registry in monitor.checks (no change in the database).
        migrations.AlterField(
            model_name="check",
            name="kind",
            field=models.CharField(choices=monitor.checks.choices, max_length=4),
        ),
    ]
