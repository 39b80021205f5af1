import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_ensure_admin_creates_then_updates_the_superuser(db, monkeypatch):
    monkeypatch.setenv("NETMON_ADMIN_PASSWORD", "first-password-1")
    call_command("ensure_admin")
    monkeypatch.setenv("NETMON_ADMIN_PASSWORD", "second-password-2")
    call_command("ensure_admin")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("second-password-2")


def test_ensure_admin_without_a_password_says_so(db, monkeypatch):
    monkeypatch.delenv("NETMON_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="NETMON_ADMIN_PASSWORD is not set"):
        call_command("ensure_admin")


@pytest.mark.parametrize("weak", ["admin", "12345678", "password", "short"])
def test_ensure_admin_refuses_a_weak_password(db, monkeypatch, weak):
    monkeypatch.setenv("NETMON_ADMIN_PASSWORD", weak)
    with pytest.raises(CommandError, match="NETMON_ADMIN_PASSWORD is not accepted"):
        call_command("ensure_admin")
    assert not get_user_model().objects.filter(username="admin").exists()
