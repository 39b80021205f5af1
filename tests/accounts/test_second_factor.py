"""TOTP as a second factor of local accounts, recovery codes, and administrators who must use it."""

import time

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import SignInPolicy
from core.contracts.groups import CLOSE_UNAUTHENTICATED
from tests.conftest import socket
from tests.roles import user_with_role
from tests.security.test_roles import closed_with

PASSWORD = "correct horse battery"  # tests.roles


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the app shows now (or `steps_ahead` steps later: a code is taken once, so the next one)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password(username: str, client: Client | None = None):
    client = client or Client(HTTP_HOST="localhost")
    return client, client.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": "/chat/"})


def enrolled(client: Client) -> list[str]:
    """Enrol an app from the enrolment page; the recovery codes shown."""
    assert client.get("/accounts/second-factor/enrol/").status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    page = client.post("/accounts/second-factor/enrol/", {"code": code(device)})
    assert "no-store" in page["Cache-Control"]
    return [line.split("<code>")[1].split("<")[0] for line in page.content.decode().split("<li>")[1:]]


def signed_in(client: Client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_it_signs_in_with_a_password_and_a_code_from_the_app():
    user_with_role("ann", roles.OPERATOR)
    client, _ = password("ann")
    codes = enrolled(client)
    assert len(codes) == 10
    client.post("/accounts/logout/")

    client, response = password("ann")
    assert (response.status_code, response["Location"]) == (302, "/accounts/second-factor/")
    assert not signed_in(client)  # a password alone signs nobody in
    wrong = client.post("/accounts/second-factor/", {"code": "000000"})
    assert wrong.status_code == 400
    # A wrong code holds the device back a second (django-otp's throttle); the app's next code comes later.
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    device = TOTPDevice.objects.get()
    right = client.post("/accounts/second-factor/", {"code": code(device, steps_ahead=1)})
    assert (right.status_code, right["Location"]) == (302, "/chat/")
    assert signed_in(client)


@pytest.mark.django_db(transaction=True)
def test_a_pending_session_opens_no_socket():
    ann = user_with_role("ann", roles.OPERATOR)
    client, _ = password("ann")
    enrolled(client)
    client.post("/accounts/logout/")
    client, _ = password("ann")

    async def handshake():
        communicator = await socket("/ws/alerts/")
        communicator.scope["headers"].append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
        await communicator.connect()
        return await closed_with(communicator)

    assert async_to_sync(handshake)() == CLOSE_UNAUTHENTICATED
    assert ann.pk  # the account exists; only its session is pending


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once():
    user_with_role("ann", roles.OPERATOR)
    client, _ = password("ann")
    recovery = enrolled(client)[3]
    client.post("/accounts/logout/")
    client, _ = password("ann")
    assert client.post("/accounts/second-factor/", {"code": recovery}).status_code == 302
    assert signed_in(client)
    client.post("/accounts/logout/")
    client, _ = password("ann")
    assert client.post("/accounts/second-factor/", {"code": recovery}).status_code == 400
    assert not signed_in(client)


@pytest.mark.django_db
def test_once_required_an_admin_cannot_skip_enrolling_and_others_are_not_asked():
    user_with_role("root", roles.ADMIN)
    user_with_role("ann", roles.OPERATOR)
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(user_with_role("boss", roles.ADMIN))
    assert admin.post("/accounts/second-factor/policy/", {"require": "on"}).status_code == 302
    assert SignInPolicy.current().require_admin_second_factor
    # Signed in before: sent to enrol at the next page, wherever it goes.
    assert admin.get("/").headers["Location"] == "/accounts/second-factor/enrol/"
    assert admin.get("/admin/").headers["Location"] == "/accounts/second-factor/enrol/"

    client, response = password("root")
    assert response["Location"] == "/accounts/second-factor/enrol/"
    assert not signed_in(client)
    assert client.get("/accounts/second-factor/")["Location"] == "/accounts/second-factor/enrol/"  # no app yet
    assert not signed_in(client)
    enrolled(client)
    assert signed_in(client)
    assert client.post("/accounts/second-factor/remove/").status_code == 403  # required: kept

    _, response = password("ann")
    assert response["Location"] == "/chat/"


@pytest.mark.django_db
def test_only_an_admin_sets_the_policy():
    operator = Client(HTTP_HOST="localhost")
    operator.force_login(user_with_role("ann", roles.OPERATOR))
    assert operator.post("/accounts/second-factor/policy/", {"require": "on"}).status_code == 403
    assert not SignInPolicy.current().require_admin_second_factor
