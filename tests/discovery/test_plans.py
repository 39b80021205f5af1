"""Discovery plans in the database: rediscovery claims a due plan once, and credential sets
keep their secrets encrypted at rest."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from discovery import tasks
from discovery.crawl import ordered
from discovery.models import Plan
from netmon_probe.snmp.client import Credentials

pytestmark = pytest.mark.django_db


def test_a_due_plan_runs_once_and_is_due_again_after_its_interval():
    plan = Plan.objects.create(name="empty", seeds="", scope="198.18.0.0/15", interval_s=3600)  # nothing to crawl
    assert tasks.rediscover() == 1
    assert tasks.rediscover() == 0
    plan.refresh_from_db()
    assert plan.last_run_at is not None
    assert plan.next_run_at > timezone.now() + timedelta(seconds=3500)
    assert plan.last_summary.startswith("0 found")


def test_a_disabled_plan_never_runs():
    Plan.objects.create(name="off", seeds="", scope="198.18.0.0/15", enabled=False)
    assert tasks.rediscover() == 0


def test_communities_and_passwords_are_encrypted_at_rest():
    plan = Plan.objects.create(name="secrets", seeds="", scope="198.18.0.0/15")
    plan.credential_sets.create(version="3", user="ops", auth_password="auth-secret-1", priv_password="priv-secret-2")
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_password, priv_password FROM discovery_credentialset")
        stored = cursor.fetchone()
    assert all(value.startswith("fernet:") for value in stored)
    assert plan.credential_sets.get().auth_password == "auth-secret-1"


def test_v3_users_are_tried_before_v2c_communities():
    sets = [Credentials("2c", community="a"), Credentials("3", user="u1"), Credentials("2c", community="b"),
            Credentials("3", user="u2")]  # fmt: skip
    assert [(c.version, c.user or c.community) for c in ordered(sets)] == [("3", "u1"), ("3", "u2"), ("2c", "a"),
                                                                           ("2c", "b")]  # fmt: skip


def test_sightings_last_seen_before_the_retention_are_pruned(settings):
    from monitor.devices.models import ForwardingEntry
    from monitor.models import Host
    from monitor.tasks import prune_sightings

    settings.SIGHTING_RETENTION_DAYS = 30
    switch = Host.objects.create(name="sw", address="198.18.0.2")
    now = timezone.now()
    for mac, seen in (("02:00:00:00:00:01", now - timedelta(days=31)), ("02:00:00:00:00:02", now)):
        ForwardingEntry.objects.create(host=switch, mac=mac, port="p1", first_seen_at=seen, last_seen_at=seen)
    assert prune_sightings() == 1
    assert list(ForwardingEntry.objects.values_list("mac", flat=True)) == ["02:00:00:00:00:02"]


def test_the_discover_command_runs_a_plan_by_name():
    from io import StringIO

    from django.core.management import CommandError, call_command

    Plan.objects.create(name="now", seeds="", scope="198.18.0.0/15")
    out = StringIO()
    call_command("discover", "now", stdout=out)
    assert out.getvalue().startswith("0 found")
    with pytest.raises(CommandError, match="no discovery plan"):
        call_command("discover", "missing")
