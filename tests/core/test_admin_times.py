"""Django's admin shows every time in the reader's zone and names that zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Preferences
from monitor.models import Host, MaintenanceWindow

pytestmark = pytest.mark.django_db

NOON_UTC = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def admin_reading_in(zone: str) -> Client:
    root = get_user_model().objects.create_superuser("root", password="correct horse battery")
    Preferences.objects.create(user=root, time_zone=zone)
    client = Client()
    client.force_login(root)
    return client


def test_changelist_times_carry_the_readers_zone():
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    Host.objects.filter(pk=host.pk).update(status_changed_at=NOON_UTC)
    MaintenanceWindow.objects.create(host=host, starts_at=NOON_UTC, ends_at=NOON_UTC + timedelta(hours=1))
    client = admin_reading_in("Asia/Shanghai")  # UTC+8, named "CST"
    hosts = client.get("/admin/monitor/host/").content.decode()
    assert "Times are in Asia/Shanghai" in hosts
    assert "Jan. 1, 2026, 8 p.m. CST" in hosts
    windows = client.get("/admin/monitor/maintenancewindow/").content.decode()
    assert "web-1: 2026-01-01 20:00 CST to 2026-01-01 21:00 CST" in windows


def test_a_reader_in_utc_is_told_so():
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    Host.objects.filter(pk=host.pk).update(status_changed_at=NOON_UTC)
    hosts = admin_reading_in("UTC").get("/admin/monitor/host/").content.decode()
    assert "Jan. 1, 2026, noon UTC" in hosts
