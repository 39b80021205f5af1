"""The check-kind registry: every kind is complete, and everything that lists kinds reads it."""

import pytest
from django.core.exceptions import ValidationError

from monitor import checks
from monitor.admin import CheckInline
from monitor.csv_import import parse_check_token
from monitor.models import Check, Host

EXAMPLES = {
    "ping": "ping",
    "tcp": "tcp:22",
    "http": "http:https://web-1.test/health",
    "dns": "dns:web-1.test@127.0.0.53",
    "snmp": "snmp:c0mmunity@1161",
    "path": "path:12",
}


def test_the_registry_lists_every_kind_once_and_the_model_offers_them():
    assert list(checks.kinds()) == ["ping", "tcp", "http", "dns", "snmp", "path"]
    assert [value for value, _ in Check._meta.get_field("kind").choices] == list(checks.kinds())


# What every check has, whatever its kind; the rest is the kind's settings (Check.settings).
CHECK_COLUMNS = {"id", "host", "kind", "enabled", "interval_s", "timeout_s", "degraded_latency_ms",
                 "degraded_loss_pct", "settings", "next_run_at", "status", "status_changed_at",
                 "last_checked_at", "last_latency_ms", "last_loss_pct", "last_error", "quorum"}  # fmt: skip


def test_a_check_has_no_column_that_only_some_kinds_use():
    columns = {field.name for field in Check._meta.concrete_fields}
    assert columns == CHECK_COLUMNS
    assert not columns & set(checks.all_settings())


@pytest.mark.parametrize("name", list(checks.kinds()))
def test_a_kind_declares_settings_whose_defaults_fit_and_fits_the_kind_column(name):
    kind = checks.kind(name)
    assert len(kind.name) <= Check._meta.get_field("kind").max_length
    assert kind.csv_syntax.split(":")[0].split("[")[0] == kind.name
    assert kind.setting_problems(kind.defaults()) == {}
    for setting in kind.settings:  # a setting two kinds share is one declaration: one API field, one meaning
        assert checks.all_settings()[setting.name] is setting


@pytest.mark.parametrize("name", list(checks.kinds()))
def test_a_csv_token_becomes_a_valid_check_whose_spec_carries_the_kinds_settings(name):
    check = parse_check_token(EXAMPLES[name], 60)
    check.host = Host(id=1, name="web-1", address="127.0.0.1")
    check.full_clean(exclude=["host"])
    spec = check.spec(due=0.0)
    assert spec.kind == name
    assert set(spec.options) == {setting.name for setting in checks.kind(name).settings}
    assert check.describe().startswith(name)


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [({"port": 70000}, "port", "A port is a number from 1 to 65535."),
     ({"port": "22"}, "port", "Port must be a whole number."),
     ({"port": True}, "port", "Port must be a whole number."),
     ({"port": 22, "ping_count": 0}, "ping_count", "Send from 1 to 100 echo requests."),
     ({"port": 22, "ping_count": None}, "ping_count", "Echo requests is required.")],
)  # fmt: skip
def test_settings_that_do_not_fit_their_declaration_are_refused_with_a_message(settings, field, message):
    check = Check(host=Host(id=1, name="web-1", address="127.0.0.1"), kind="ping", settings=settings)
    with pytest.raises(ValidationError) as raised:
        check.full_clean(exclude=["host"])
    assert raised.value.message_dict == {field: [message]}


def test_a_saved_check_keeps_exactly_its_kinds_settings(db):
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    check = Check.objects.create(host=host, kind="tcp", port=22, url="http://left.over/", ping_count=3)
    assert Check.objects.get(pk=check.pk).settings == {"port": 22}
    check.kind = "ping"
    check.save()
    assert Check.objects.get(pk=check.pk).settings == {"port": 22, "ping_count": 5}


def test_admin_shows_every_setting_of_every_kind_exactly_once():
    shown = []
    for _, options in CheckInline.fieldsets:
        for row in options["fields"]:
            shown += list(row) if isinstance(row, tuple) else [row]
    assert len(shown) == len(set(shown))
    assert set(checks.all_settings()) <= set(shown)
