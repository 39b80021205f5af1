"""A check's kind-specific columns become one JSON object of settings (Check.settings).

Each kind's values move into it, and back when migrating backwards; the columns go.
The kinds' fields are written out here as they were, so that this migration means the
same thing whatever kinds are added later.
"""

from django.db import migrations

import monitor.models

KIND_FIELDS = {
    "ping": ("ping_count", "port"),
    "tcp": ("port",),
    "http": ("url", "http_method", "expected_status", "keyword", "follow_redirects", "verify_tls"),
    "dns": ("dns_name", "dns_record_type", "dns_server"),
    "snmp": ("port", "snmp_version", "community", "snmp_user", "auth_protocol", "auth_password",
             "priv_protocol", "priv_password", "snmp_retries"),
    "path": ("ping_count", "max_hops"),
}  # fmt: skip
COLUMNS = sorted({name for names in KIND_FIELDS.values() for name in names})
BATCH = 500


def _checks(apps):
    return apps.get_model("monitor", "Check").objects.order_by("pk")


def _in_batches(queryset, changed, fields):
    batch = []
    for check in queryset.iterator(chunk_size=BATCH):
        changed(check)
        batch.append(check)
        if len(batch) == BATCH:
            queryset.model.objects.bulk_update(batch, fields)
            batch = []
    queryset.model.objects.bulk_update(batch, fields)


def columns_to_settings(apps, schema_editor):
    def move(check):
        # The field's own encryption takes over the secrets (community, SNMPv3 passwords).
        check.settings = {name: getattr(check, name) for name in KIND_FIELDS.get(check.kind, ())}

    _in_batches(_checks(apps), move, ["settings"])


def settings_to_columns(apps, schema_editor):
    fields = {name: apps.get_model("monitor", "Check")._meta.get_field(name) for name in COLUMNS}

    def restore(check):
        for name, field in fields.items():
            value = check.settings.get(name)
            setattr(check, name, field.get_default() if value is None and not field.null else value)

    _in_batches(_checks(apps), restore, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("monitor", "0009_claimed_slots")]

    operations = [
        migrations.AddField(
            model_name="check", name="settings", field=monitor.models.CheckSettingsField(blank=True, default=dict)
        ),
        migrations.RunPython(columns_to_settings, settings_to_columns),
        *(migrations.RemoveField(model_name="check", name=name) for name in COLUMNS),
    ]
