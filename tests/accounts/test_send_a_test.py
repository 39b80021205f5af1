""" "Send a test" on the profile page: bounded in time, a few per minute, and failures told without details."""

import time

import pytest
from django.test import Client

from accounts import roles
from alerts.models import NotificationTarget
from tests import targets
from tests.accounts.test_profile import webhook
from tests.roles import user_with_role


@pytest.fixture
def viewer_client(transactional_db):
    user = user_with_role("vera", roles.VIEWER)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return user, client


def send_a_test(client, target: NotificationTarget):
    return client.post(f"/accounts/profile/targets/{target.pk}/test/", follow=True)


def test_a_failed_test_does_not_tell_why(viewer_client):
    user, client = viewer_client
    target = NotificationTarget.objects.create(user=user, url=f"json://127.0.0.1:{targets.closed_port()}/", label="x")
    page = send_a_test(client, target).content.decode()
    assert "“x” failed: the notification could not be delivered." in page
    assert "onnection" not in page  # neither "Connection refused" nor "Connection error"


def test_a_test_to_a_denied_address_connects_nowhere_and_says_no_more(viewer_client, settings):
    user, client = viewer_client
    settings.CHECK_DENY_NETWORKS = ["127.0.0.3/32"]
    with targets.silent_server("127.0.0.3") as (port, accepted):
        target = NotificationTarget.objects.create(user=user, url=f"json://0x7f000003:{port}/", label="x")
        page = send_a_test(client, target).content.decode()
    assert accepted == []
    assert "“x” failed: the notification could not be delivered." in page
    assert "denied" not in page


def test_a_test_to_a_target_that_never_answers_ends_within_its_bound(viewer_client, settings):
    user, client = viewer_client
    with targets.silent_server() as (port, accepted):
        target = NotificationTarget.objects.create(user=user, url=f"json://127.0.0.1:{port}/?cto=90&rto=90", label="x")
        started = time.monotonic()
        page = send_a_test(client, target).content.decode()
        took = time.monotonic() - started
    assert len(accepted) == 1
    assert took < settings.NOTIFY_TEST_S + 10
    assert "could not be delivered" in page


def test_tests_are_limited_per_user(viewer_client, settings):
    user, client = viewer_client
    otto = user_with_role("otto", roles.VIEWER)
    other = Client(HTTP_HOST="localhost")
    other.force_login(otto)
    with webhook() as (port, received):
        target = NotificationTarget.objects.create(user=user, url=f"json://127.0.0.1:{port}/", label="x")
        for _ in range(settings.NOTIFY_TESTS_PER_MINUTE):
            assert send_a_test(client, target).status_code == 200
        refused = client.post(f"/accounts/profile/targets/{target.pk}/test/")
        others = NotificationTarget.objects.create(user=otto, url=f"json://127.0.0.1:{port}/", label="y")
        assert send_a_test(other, others).status_code == 200  # another user's tests are their own
    assert refused.status_code == 429
    assert "Too many tests: wait a minute before sending another." in refused.content.decode()
    assert len(received) == settings.NOTIFY_TESTS_PER_MINUTE + 1
