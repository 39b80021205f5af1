"""Moving a check's per-kind columns into Check.settings keeps every value, both ways.

Run on SQLite by default and on PostgreSQL with DATABASE_URL pointing at one.
"""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from monitor.models import Check, Host

BEFORE = [("monitor", "0009_claimed_slots")]
AFTER = [("monitor", "0010_check_settings")]
# Every setting of every kind at a value other than its default; the secrets among them.
FILLED = {
    "ping": {"ping_count": 7, "port": 8080},
    "tcp": {"port": 2222},
    "http": {"url": "https://ops:pa55@web-1.test/health?token=abc", "http_method": "POST", "expected_status": 204,
             "keyword": "healthy", "follow_redirects": False, "verify_tls": False},
    "dns": {"dns_name": "web-1.test", "dns_record_type": "AAAA", "dns_server": "127.0.0.53:5353"},
    "snmp": {"port": 1161, "snmp_version": "3", "community": "c0mm-9f2", "snmp_user": "netmon-ops",
             "auth_protocol": "SHA", "auth_password": "auth-pass-71c", "priv_protocol": "AES-256",
             "priv_password": "priv-pass-e03", "snmp_retries": 3},
    "path": {"ping_count": 4, "max_hops": 12},
}  # fmt: skip
SECRETS = ["c0mm-9f2", "auth-pass-71c", "priv-pass-e03"]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def rows(model) -> dict[int, dict]:
    """Every column of every check, through the model of the moment."""
    names = [field.attname for field in model._meta.concrete_fields]
    return {row["id"]: row for row in model.objects.values(*names)}


def later_columns(model, historical_model) -> list[str]:
    """The fields of today's `model` whose columns the historical model does not have yet."""
    then = {field.attname for field in historical_model._meta.concrete_fields}
    return [field.name for field in model._meta.concrete_fields if field.attname not in then]


def raw_settings() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT settings FROM monitor_check")
        return [value if isinstance(value, str) else json.dumps(value) for (value,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_every_kinds_settings_move_into_the_json_field_and_back():
    old_apps = migrate(BEFORE).loader.project_state(BEFORE).apps
    try:
        host = old_apps.get_model("monitor", "Host").objects.create(name="web-1", address="127.0.0.1")
        old_check = old_apps.get_model("monitor", "Check")
        ids = {kind: old_check.objects.create(host=host, kind=kind, **values).pk for kind, values in FILLED.items()}
        before = rows(old_check)

        after_apps = migrate(AFTER).loader.project_state(AFTER).apps
        # Today's models, without the columns later migrations add (a check's quorum, a host's site...).
        later = later_columns(Check, after_apps.get_model("monitor", "Check"))
        later += [f"host__{name}" for name in later_columns(Host, after_apps.get_model("monitor", "Host"))]
        checks = Check.objects.select_related("host").defer(*later)
        assert {kind: checks.get(pk=pk).settings for kind, pk in ids.items()} == FILLED
        assert {kind: checks.get(pk=pk).spec(0.0).options for kind, pk in ids.items()} == FILLED
        stored = raw_settings()
        assert [secret for secret in SECRETS if any(secret in text for text in stored)] == []

        back_apps = migrate(BEFORE).loader.project_state(BEFORE).apps
        assert rows(back_apps.get_model("monitor", "Check")) == before
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
