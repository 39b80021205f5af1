"""Making API tokens in admin: a token acts as its user, so nobody makes one for someone else
unless they are a superuser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import roles
from api.models import ApiToken
from tests.roles import user_with_role


@pytest.fixture
def admin_role(db):
    """Of the admin role: staff with every token permission, but no superuser."""
    return user_with_role("ada", roles.ADMIN)


def signed_in(user) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def add_token(client: Client, **fields) -> str:
    response = client.post("/admin/api/apitoken/add/", {"name": "script", "read_only": "on", **fields})
    assert response.status_code == 200, response.content
    return re.search(r"nwm_[\w-]+", response.content.decode()).group(0)


def test_an_admin_who_names_a_superuser_still_gets_a_token_of_their_own(admin_role):
    root = get_user_model().objects.create_superuser("root", password="correct horse battery")
    secret = add_token(signed_in(admin_role), user=root.pk, read_only="")
    token = ApiToken.objects.get(digest=ApiToken.hash(secret))
    assert token.user == admin_role
    assert not root.api_tokens.exists()


def test_an_admin_sees_and_changes_only_their_own_tokens(admin_role):
    root = get_user_model().objects.create_superuser("root", password="correct horse battery")
    theirs = ApiToken(user=root, name="root's")
    theirs.generate()
    theirs.save()
    client = signed_in(admin_role)
    form = client.get("/admin/api/apitoken/add/").content.decode()
    assert 'name="user"' not in form
    assert "root&#x27;s" not in client.get("/admin/api/apitoken/").content.decode()
    assert client.get(f"/admin/api/apitoken/{theirs.pk}/change/").status_code == 302  # "does not exist"
    client.post(f"/admin/api/apitoken/{theirs.pk}/delete/", {"post": "yes"})
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_token_never_changes_hands(admin_role):
    root = get_user_model().objects.create_superuser("root", password="correct horse battery")
    client = signed_in(admin_role)
    token = ApiToken.objects.get(digest=ApiToken.hash(add_token(client)))
    client.post(f"/admin/api/apitoken/{token.pk}/change/", {"name": "script", "user": root.pk})
    token.refresh_from_db()
    assert token.user == admin_role


def test_a_superuser_makes_a_token_for_another_user(admin_role):
    root = get_user_model().objects.create_superuser("root", password="correct horse battery")
    secret = add_token(signed_in(root), user=admin_role.pk)
    assert ApiToken.objects.get(digest=ApiToken.hash(secret)).user == admin_role
