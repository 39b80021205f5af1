"""Signing in through a real OpenLDAP server (Debian's slapd), started by the test.

Accounts are made on the first sign-in, roles follow the directory's groups at each
sign-in and at the session's re-check, and a directory that does not answer signs
nobody out.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import roles, tasks
from core.contracts.groups import CLOSE_UNAUTHENTICATED
from NetWorkMonitor.directories import LDAP_BACKEND, ldap_settings, role_groups
from oncall.models import Team
from tests.conftest import socket
from tests.directory_server import group, group_dn, person, private_slapd
from tests.security.test_roles import closed_with

PASSWORD = "directory horse battery"


@pytest.fixture(scope="module")
def directory():
    with private_slapd() as server:
        server.add(
            person("carol", PASSWORD), person("dave", PASSWORD), person("erin", PASSWORD),
            group("admins", "carol"), group("operators", "dave"), group("viewers", "carol"),
        )  # fmt: skip
        yield server


@pytest.fixture
def signed_through(directory, settings, monkeypatch):
    """Settings as the environment of docs/features/sign-in.md makes them, pointed at `directory`."""
    for name, value in directory.environment().items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings().items():
        setattr(settings, name, value)
    settings.LDAP_ROLE_GROUPS = role_groups()
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, LDAP_BACKEND]
    past_first_run()
    return directory


def past_first_run() -> None:
    """The first run made its local administrator (the break-glass account) before the directory was set."""
    get_user_model().objects.create_superuser("root", password=PASSWORD)


def sign_in(username: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"username": username, "password": password})
    return client


def role_names(username: str) -> set[str]:
    user = get_user_model().objects.get(username=username)
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.django_db
def test_it_makes_the_account_on_first_sign_in_with_the_highest_role(signed_through):
    client = sign_in("carol")
    assert client.get("/").status_code == 200
    carol = get_user_model().objects.get(username="carol")
    assert (carol.email, carol.first_name, carol.is_staff) == ("carol@example.test", "Carol", True)
    assert role_names("carol") == {roles.ADMIN}  # in admins and viewers: the highest
    sign_in("dave")
    assert role_names("dave") == {roles.OPERATOR}


@pytest.mark.django_db
def test_a_team_with_a_directory_group_gets_exactly_its_members(signed_through):
    noc = Team.objects.create(name="noc", directory_group=group_dn("operators").upper())  # DNs ignore case
    hand_made = Team.objects.create(name="database")
    sign_in("carol")
    hand_made.members.add(get_user_model().objects.get(username="carol"))
    sign_in("dave")
    sign_in("carol")
    assert list(noc.members.values_list("username", flat=True)) == ["dave"]
    assert list(hand_made.members.values_list("username", flat=True)) == ["carol"]  # no group: left alone
    signed_through.remove_member("operators", "dave")
    signed_through.add_member("viewers", "dave")
    try:
        sign_in("dave")
        assert not noc.members.exists()
    finally:
        signed_through.remove_member("viewers", "dave")
        signed_through.add_member("operators", "dave")


@pytest.mark.django_db
def test_it_refuses_a_wrong_password_and_someone_in_no_role_group(signed_through):
    assert sign_in("dave", "not it").get("/").status_code == 302
    assert sign_in("erin").get("/").status_code == 302  # in the directory, in no role's group
    assert not get_user_model().objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_the_role_follows_the_directory_at_the_next_sign_in(signed_through):
    sign_in("dave")
    signed_through.remove_member("operators", "dave")
    signed_through.add_member("viewers", "dave")
    try:
        sign_in("dave")
        assert role_names("dave") == {roles.VIEWER}
    finally:
        signed_through.remove_member("viewers", "dave")
        signed_through.add_member("operators", "dave")


@pytest.mark.django_db(transaction=True)
async def test_someone_removed_from_the_directory_is_signed_out_at_the_recheck(signed_through, settings):
    settings.DIRECTORY_RECHECK_MINUTES = 0
    signed_through.add(person("frank", PASSWORD))
    signed_through.add_member("operators", "frank")
    client = await database_sync_to_async(sign_in)("frank")
    assert (await database_sync_to_async(client.get)("/")).status_code == 200  # asked the directory: still there
    frank = await database_sync_to_async(get_user_model().objects.get)(username="frank")
    tab = await socket("/ws/alerts/", frank, cookie=client.cookies["sessionid"].value)
    assert (await tab.connect())[0]

    signed_through.delete("uid=frank,ou=people,dc=example,dc=test")
    response = await database_sync_to_async(client.get)("/")
    assert (response.status_code, response.url) == (302, settings.LOGIN_URL)
    assert await closed_with(tab) == CLOSE_UNAUTHENTICATED
    assert not (await database_sync_to_async(get_user_model().objects.get)(username="frank")).is_active


@pytest.mark.django_db
def test_a_directory_that_does_not_answer_signs_nobody_out(settings, monkeypatch):
    with private_slapd() as server:
        server.add(person("gina", PASSWORD), group("operators", "gina"))
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        for name, value in ldap_settings().items():
            setattr(settings, name, value)
        settings.LDAP_ROLE_GROUPS = role_groups()
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, LDAP_BACKEND]
        settings.DIRECTORY_RECHECK_MINUTES = 0
        past_first_run()
        client = sign_in("gina")
        assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # the server is gone: checked again later
    assert get_user_model().objects.get(username="gina").is_active


@pytest.mark.django_db
def test_local_sign_in_turned_off_leaves_only_the_break_glass_superuser(settings):
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.BreakGlassBackend"]
    get_user_model().objects.create_user("local", password=PASSWORD)
    past_first_run()
    assert sign_in("local").get("/").status_code == 302
    assert sign_in("root").get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_an_idle_page_of_someone_removed_is_cut_off_by_the_sweep(signed_through):
    signed_through.add(person("hana", PASSWORD))
    signed_through.add_member("operators", "hana")
    client = await database_sync_to_async(sign_in)("hana")
    hana = await database_sync_to_async(get_user_model().objects.get)(username="hana")
    tab = await socket("/ws/alerts/", hana, cookie=client.cookies["sessionid"].value)
    assert (await tab.connect())[0]
    assert await database_sync_to_async(tasks.recheck_directory_sessions)() == 0  # still there

    signed_through.delete("uid=hana,ou=people,dc=example,dc=test")  # and no request from her page since
    assert await database_sync_to_async(tasks.recheck_directory_sessions)() == 1
    assert await closed_with(tab) == CLOSE_UNAUTHENTICATED
