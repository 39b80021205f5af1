"""The check-kind registry: every kind is complete, and everything that lists kinds reads it."""

import pytest

from monitor import checks
from monitor.admin import CheckInline
from monitor.csv_import import _parse_check
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


@pytest.mark.parametrize("name", list(checks.kinds()))
def test_a_kind_reads_only_check_fields_and_fits_the_kind_column(name):
    kind = checks.kind(name)
    assert len(kind.name) <= Check._meta.get_field("kind").max_length
    field_names = {field.name for field in Check._meta.get_fields()}
    assert set(kind.fields) <= field_names
    assert kind.csv_syntax.split(":")[0].split("[")[0] == kind.name


@pytest.mark.parametrize("name", list(checks.kinds()))
def test_a_csv_token_becomes_a_valid_check_whose_spec_carries_the_kinds_fields(name):
    check = _parse_check(EXAMPLES[name], 60)
    check.host = Host(id=1, name="web-1", address="127.0.0.1")
    check.full_clean(exclude=["host"])
    spec = check.spec(due=0.0)
    assert spec.kind == name
    assert set(spec.options) == set(checks.kind(name).fields)
    assert check.describe().startswith(name)


def test_admin_shows_every_field_of_every_kind_exactly_once():
    shown = []
    for _, options in CheckInline.fieldsets:
        for row in options["fields"]:
            shown += list(row) if isinstance(row, tuple) else [row]
    assert len(shown) == len(set(shown))
    assert {field for kind in checks.kinds().values() for field in kind.fields} <= set(shown)
