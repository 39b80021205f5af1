"""Status pages edited in the product: Public asked explicitly, the address shown after saving, who may."""

import pytest
from django.test import Client

from accounts import roles
from monitor.models import Host
from status.models import StatusPage
from tests.roles import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = {"title": "Acme status", "slug": "acme", "description": "", "hosts_heading": "Services", "time_zone": "UTC"}


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role, role))
    return client


def test_public_must_be_chosen_and_the_address_is_shown_after_saving():
    client = signed_in(roles.ADMIN)
    host = Host.objects.create(name="web-1", address="127.0.0.1")
    refused = client.post("/status-pages/new/", {**PAGE, "hosts": [host.pk]})
    assert refused.status_code == 400
    assert "Choose who may read the page." in refused.content.decode()
    saved = client.post("/status-pages/new/", {**PAGE, "hosts": [host.pk], "audience": "public"}, follow=True)
    page = StatusPage.objects.get()
    assert (page.public, list(page.hosts.all())) == (True, [host])
    text = saved.content.decode()
    assert 'id="page-address" href="http://testserver/status/acme/"' in text
    assert 'data-copy="#page-address"' in text
    assert Client().get("/status/acme/").status_code == 200  # anyone reads it


def test_signed_in_only_pages_stay_private_and_can_be_deleted():
    client = signed_in(roles.ADMIN)
    client.post("/status-pages/new/", {**PAGE, "audience": "signed-in"})
    page = StatusPage.objects.get()
    assert not page.public
    edit = client.get(f"/status-pages/{page.pk}/").content.decode()
    assert 'value="signed-in" checked' in edit.replace('"\n', '" ').replace("  ", " ") or "checked" in edit
    assert client.post(f"/status-pages/{page.pk}/delete/").status_code == 302
    assert not StatusPage.objects.exists()


@pytest.mark.parametrize("role", [roles.VIEWER, roles.OPERATOR])
def test_others_read_the_list_without_controls(role):
    StatusPage.objects.create(slug="p", title="P")
    client = signed_in(role)
    listing = client.get("/status-pages/")
    assert listing.status_code == 200
    assert "/status-pages/new/" not in listing.content.decode()
    assert client.post("/status-pages/new/", {**PAGE, "audience": "public"}).status_code == 403
    assert client.post(f"/status-pages/{StatusPage.objects.get().pk}/delete/").status_code == 403
