import django.core.validators
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
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables exist since monitor's migrations (0003_alerts): only the state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("subject", models.CharField(max_length=300)),
                        ("subject_label", models.CharField(max_length=255)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("ok", "Ok"),
                                    ("pending", "Pending"),
                                    ("firing", "Firing"),
                                    ("resolved", "Resolved"),
                                ],
                                default="ok",
                                max_length=8,
                            ),
                        ),
                        ("value", models.FloatField(null=True)),
                        ("since", models.DateTimeField(default=django.utils.timezone.now)),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "acknowledged_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_alert",
                        "ordering": ["-since"],
                    },
                ),
                migrations.CreateModel(
                    name="AlertEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("firing", "Firing"),
                                    ("resolved", "Resolved"),
                                    ("acknowledged", "Acknowledged"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("value", models.FloatField(null=True)),
                        ("message", models.CharField(max_length=500)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="events", to="alerts.alert"
                            ),
                        ),
                        (
                            "by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_alertevent",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="AlertRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        ("enabled", models.BooleanField(default=True)),
                        (
                            "scope",
                            models.CharField(
                                choices=[("all", "all hosts"), ("host", "one host"), ("tag", "hosts with a tag")],
                                default="all",
                                max_length=4,
                            ),
                        ),
                        (
                            "metric",
                            models.CharField(
                                choices=[
                                    ("cpu_percent", "CPU % (agent)"),
                                    ("mem_percent", "memory % (agent)"),
                                    ("disk_percent", "disk %, fullest mount (agent)"),
                                    ("iface_errors_ps", "interface errors/s, all interfaces (agent)"),
                                    ("iface_drops_ps", "interface drops/s, all interfaces (agent)"),
                                    ("throughput_bps", "throughput bit/s, busiest interface (agent)"),
                                    ("check_latency_ms", "check latency ms, slowest check (host)"),
                                    ("loss_pct", "packet loss % (host, ping)"),
                                    ("host_down", "host DOWN: 1 when DOWN, else 0 (host)"),
                                    ("cert_days_left", "certificate days left, soonest (host, https)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "comparison",
                            models.CharField(
                                choices=[
                                    (">", "above (>)"),
                                    (">=", "at least (≥)"),
                                    ("<", "below (<)"),
                                    ("<=", "at most (≤)"),
                                ],
                                default=">",
                                max_length=2,
                            ),
                        ),
                        ("threshold", models.FloatField()),
                        (
                            "recovery_threshold",
                            models.FloatField(
                                blank=True,
                                help_text="Resolves only past this value (hysteresis). Empty: the threshold.",
                                null=True,
                            ),
                        ),
                        (
                            "for_seconds",
                            models.PositiveIntegerField(
                                default=0,
                                help_text="Fires only when the condition has held this long.",
                                validators=[
                                    django.core.validators.MaxValueValidator(86400, "At most a day (86400 s).")
                                ],
                                verbose_name="for (s)",
                            ),
                        ),
                        (
                            "severity",
                            models.CharField(
                                choices=[("warning", "Warning"), ("critical", "Critical")],
                                default="warning",
                                max_length=8,
                            ),
                        ),
                        (
                            "host",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alert_rules",
                                to="monitor.host",
                            ),
                        ),
                        (
                            "recipient_groups",
                            models.ManyToManyField(blank=True, related_name="alert_rules", to="auth.group"),
                        ),
                        (
                            "recipients",
                            models.ManyToManyField(blank=True, related_name="alert_rules", to=settings.AUTH_USER_MODEL),
                        ),
                        (
                            "tag",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alert_rules",
                                to="monitor.tag",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_alertrule",
                        "ordering": ["name"],
                    },
                ),
                migrations.AddField(
                    model_name="alert",
                    name="rule",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="alerts", to="alerts.alertrule"
                    ),
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                                db_index=True,
                                default="pending",
                                max_length=8,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("next_attempt_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="alerts.alertevent",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_notification",
                    },
                ),
                migrations.CreateModel(
                    name="NotificationAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("ok", models.BooleanField()),
                        ("error", models.CharField(blank=True, max_length=500)),
                        (
                            "notification",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempt_log",
                                to="alerts.notification",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_notificationattempt",
                        "ordering": ["at"],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationTarget",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("url", models.CharField(max_length=1000, verbose_name="Apprise URL")),
                        ("label", models.CharField(blank=True, max_length=100)),
                        ("enabled", models.BooleanField(default=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_targets",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "monitor_notificationtarget",
                    },
                ),
                migrations.AddField(
                    model_name="notification",
                    name="target",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="alerts.notificationtarget",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alert",
                    constraint=models.UniqueConstraint(
                        fields=("rule", "subject"), name="one_alert_per_rule_and_subject"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="notification",
                    constraint=models.UniqueConstraint(fields=("event", "target"), name="one_notification_per_target"),
                ),
            ],
        ),
        MoveContentTypes(
            "monitor",
            "alerts",
            ["alertrule", "alert", "alertevent", "notificationtarget", "notification", "notificationattempt"],
        ),
    ]
